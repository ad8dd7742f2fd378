/** `sage run`: set up the environment (log level, `.env`), run the file, and turn its outcome into an exit code. */
import { join } from 'node:path';
import { isSageError, loadEnvFile, type LogLevel } from '@sage/common';
import { parseRedisUrl, setExecutionTarget } from '@sage/kernel';
import type { CliIo } from '../cli-io.js';
import { resolveRedisUrl } from '../doctor/redis-check.js';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from '../exit-codes.js';
import { formatError } from '../format-error.js';
import { PipelineFileError, resolvePipelineFile, runPipelineFile } from './run-pipeline-file.js';

export const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export interface RunOptions {
  logLevel?: LogLevel;
  /** Load `.env` from the working directory first (never overriding set variables); default true. */
  envFile?: boolean;
  /** Submit the file's job to `sage worker` processes, whatever environment class it builds. */
  remote?: boolean;
  /** Redis of the workers (with `remote`); default REDIS_URL, then sage.config.yaml redis.url, then redis://127.0.0.1:6379. */
  redis?: string;
  /** Key prefix of the workers' job store (with `remote`); default `sage`. */
  prefix?: string;
  /** How the file reaches the workers (with `remote`): `path` (default) or `bundle` (signed with SAGE_CLUSTER_SECRET). */
  code?: 'path' | 'bundle';
}

export async function runCommand(io: CliIo, file: string, args: readonly string[], options: RunOptions = {}): Promise<number> {
  let path: string;
  try {
    path = resolvePipelineFile(io.cwd, file);
  } catch (error) {
    if (!(error instanceof PipelineFileError)) throw error;
    io.stderr.write(`sage run: ${error.message}\n`);
    return EXIT_USAGE;
  }
  const remoteOnly = (['redis', 'prefix', 'code'] as const).find((flag) => options[flag] !== undefined);
  if (!options.remote && remoteOnly !== undefined) {
    io.stderr.write(`sage run: --${remoteOnly} applies only with --remote\n`);
    return EXIT_USAGE;
  }
  try {
    if (options.envFile !== false) loadEnvFile(join(io.cwd, '.env'), io.env);
    // Loggers read SAGE_LOG_LEVEL when created, which is after this point (inside the pipeline file).
    if (options.logLevel !== undefined) io.env.SAGE_LOG_LEVEL = options.logLevel;
    // Checked here because the logger would fail later with pino's raw "default level:… must be included".
    // Empty means unset (as `SAGE_LOG_LEVEL=` in .env reads), which createLogger would otherwise reject.
    if (io.env.SAGE_LOG_LEVEL === '') delete io.env.SAGE_LOG_LEVEL;
    const level = io.env.SAGE_LOG_LEVEL;
    if (level !== undefined && !LOG_LEVELS.includes(level.toLowerCase() as LogLevel)) {
      io.stderr.write(`sage run: SAGE_LOG_LEVEL is "${level}"; expected one of ${LOG_LEVELS.join(', ')}\n`);
      return EXIT_USAGE;
    }
    if (options.remote) {
      const { value, source } = options.redis !== undefined ? { value: options.redis, source: '--redis' } : resolveRedisUrl({ cwd: io.cwd, env: io.env });
      try {
        parseRedisUrl(value, source);
      } catch (error) {
        if (!isSageError(error) || source !== '--redis') throw error;
        io.stderr.write(formatError(error));
        return EXIT_USAGE;
      }
      setExecutionTarget({ kind: 'remote', redis: value, prefix: options.prefix, code: options.code });
    }
    try {
      await runPipelineFile(path, args);
    } finally {
      // A job the file left running has read the target already; later submits in this process run locally.
      setExecutionTarget(undefined);
    }
    return EXIT_OK;
  } catch (error) {
    const level = io.env.SAGE_LOG_LEVEL;
    io.stderr.write(formatError(error, level === 'debug' || level === 'trace'));
    const hint = hintFor(error);
    if (hint !== undefined) io.stderr.write(`hint: ${hint}\n`);
    return EXIT_FAILURE;
  }
}

/** Advice for mistakes whose raw error does not say what to do. */
function hintFor(error: unknown): string | undefined {
  const message = error instanceof Error ? error.message : String(error);
  // tsx compiles a .ts file as CommonJS unless the nearest package.json says "type": "module".
  if (message.includes('Top-level await is currently not supported with the "cjs" output format')) {
    return 'the file is compiled as CommonJS, where top-level await is not allowed: rename it to .mts or add "type": "module" to the nearest package.json';
  }
  const missingPackage = /Cannot find (?:package|module) '(@sage\/[^/']+)/.exec(message);
  if (missingPackage) return `install ${missingPackage[1]} in the project that holds the pipeline file (pnpm add ${missingPackage[1]})`;
  return undefined;
}
