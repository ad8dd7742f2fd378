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
  /**
   * `json` (one JSON object per line, for log collectors) or `text` (`WARN  name key=value: message`, for
   * people). Default: `SAGE_LOG_FORMAT`, else `text` when the destination is stderr on a terminal, else `json`.
   */
  format?: LogFormat;
}

export type LogFormat = 'json' | 'text';

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
  const format = options.format ?? resolveLogFormat(destination === 2 && process.stderr.isTTY === true);
  const out = format === 'text' ? textStream(stream) : stream;
  return pino({ level, name: options.name, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }, out);
}

function resolveLogFormat(terminal: boolean, raw: string | undefined = process.env.SAGE_LOG_FORMAT): LogFormat {
  if (raw === 'json' || raw === 'text') return raw;
  if (raw !== undefined && raw !== '') throw new ConfigError(`SAGE_LOG_FORMAT must be json or text, got "${raw}"`);
  return terminal ? 'text' : 'json';
}

const LEVEL_NAMES: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const HIDDEN_KEYS = new Set(['level', 'time', 'pid', 'hostname', 'name', 'msg']);

/** One pino JSON line as `WARN  name key=value: message`. */
export function formatLogLine(line: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const level = (LEVEL_NAMES[entry.level as number] ?? String(entry.level)).padEnd(5);
  const fields = Object.entries(entry)
    .filter(([key]) => !HIDDEN_KEYS.has(key))
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
  const where = [entry.name, ...fields].filter((part) => part !== undefined).join(' ');
  return where === '' ? `${level} ${String(entry.msg ?? '')}` : `${level} ${where}: ${String(entry.msg ?? '')}`;
}

function textStream(target: NodeJS.WritableStream | { write(text: string): unknown }): { write(text: string): void } {
  return {
    write(chunk: string) {
      const lines = chunk.split('\n').filter((line) => line !== '');
      target.write(`${lines.map(formatLogLine).join('\n')}\n`);
    },
  };
}

let rootLogger: Logger | undefined;

/** The process-wide default logger, created on first use. */
export function getLogger(): Logger {
  rootLogger ??= createLogger();
  return rootLogger;
}
