import { pino, type Logger as PinoLogger } from 'pino';
import { ConfigError } from './errors.js';

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

const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** The level to log at: the option, else `SAGE_LOG_LEVEL` (empty counts as unset), else `info`. */
export function resolveLogLevel(level: string | undefined = process.env.SAGE_LOG_LEVEL): LogLevel {
  if (level === undefined || level === '') return 'info';
  if (!LOG_LEVELS.includes(level as LogLevel)) {
    throw new ConfigError(`log level must be one of ${LOG_LEVELS.join(', ')}, got "${level}" (from SAGE_LOG_LEVEL or the logLevel option)`, {
      details: { level },
    });
  }
  return level as LogLevel;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const level = resolveLogLevel(options.level);
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
