import { pino, type Logger as PinoLogger } from 'pino';

/** The structured logger SAGE components use. Same calling shape as pino: `log.info({ k: v }, 'message')`. */
export type Logger = PinoLogger;

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface LoggerOptions {
  /** Defaults to `SAGE_LOG_LEVEL`, else `info`. */
  level?: LogLevel;
  /** Name shown on every line (for example the job or operator). */
  name?: string;
  /** Where lines go; defaults to stderr so that pipeline output on stdout stays clean. */
  destination?: NodeJS.WritableStream | number;
}

/** Keys whose values never reach a log line. */
const REDACTED_PATHS = ['password', 'apiKey', 'token', 'secret', '*.password', '*.apiKey', '*.token', '*.secret'];

export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? (process.env.SAGE_LOG_LEVEL as LogLevel | undefined) ?? 'info';
  const destination = options.destination ?? 2;
  const stream = typeof destination === 'number' ? pino.destination({ fd: destination, sync: true }) : destination;
  return pino({ level, name: options.name, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }, stream);
}

let rootLogger: Logger | undefined;

/** The process-wide default logger, created on first use. */
export function getLogger(): Logger {
  rootLogger ??= createLogger();
  return rootLogger;
}
