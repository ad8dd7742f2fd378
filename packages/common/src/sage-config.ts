/**
 * The project-wide config file, `sage.config.yaml`. Every field has a default, so an empty or absent file is a
 * valid config. Sections are strict: a misspelt key is an error, not a silently ignored setting.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { type LoadConfigOptions, loadConfig } from './config.js';
import type { LogLevel } from './logger.js';

/** Looked up in the working directory when no file is named. */
export const SAGE_CONFIG_FILE = 'sage.config.yaml';

const LOG_LEVELS = [
  'fatal',
  'error',
  'warn',
  'info',
  'debug',
  'trace',
  'silent',
] as const satisfies readonly LogLevel[];

// `prefault({})` (not `default({})`) so an absent section still gets its fields' defaults.
export const sageConfigSchema = z.strictObject({
  log: z
    .strictObject({
      level: z.enum(LOG_LEVELS).default('info'),
    })
    .prefault({}),
  runtime: z
    .strictObject({
      /** Records per batch handed between operators. */
      batchSize: z.number().int().min(1).max(65_536).default(1024),
      /** Batches a channel buffers before the producer waits (backpressure). */
      channelCapacity: z.number().int().min(1).default(16),
      /** How long a partly filled batch may wait for more records before it is sent. */
      lingerMs: z.number().min(0).default(5),
    })
    .prefault({}),
  redis: z
    .strictObject({
      url: z.url({ protocol: /^rediss?$/ }).default('redis://127.0.0.1:6379'),
    })
    .prefault({}),
  /** Per-service settings, keyed by service name; each service validates its own entry. */
  services: z.record(z.string(), z.unknown()).default(() => ({})),
});

export type SageConfig = z.output<typeof sageConfigSchema>;
/** What may be written in the file (every field optional). */
export type SageConfigInput = z.input<typeof sageConfigSchema>;

export interface LoadSageConfigOptions extends Omit<LoadConfigOptions<SageConfigInput>, 'file'> {
  /** Directory where `sage.config.yaml` (and `.env` for `dotenv: true`) is looked up; the process cwd by default. */
  cwd?: string;
}

/**
 * Load the project config: `file` when given (it must exist), else `sage.config.yaml` in the working directory,
 * else the defaults (plus overrides).
 */
export function loadSageConfig(file?: string, options: LoadSageConfigOptions = {}): SageConfig {
  const { cwd, ...loadOptions } = options;
  const inDirectory = (path: string): string => (cwd === undefined ? path : resolve(cwd, path));
  const dotenv = loadOptions.dotenv === true ? inDirectory('.env') : loadOptions.dotenv;
  const defaultFile = inDirectory(SAGE_CONFIG_FILE);
  const chosen = file !== undefined ? inDirectory(file) : existsSync(defaultFile) ? defaultFile : undefined;
  return loadConfig(sageConfigSchema, { ...loadOptions, dotenv, file: chosen });
}
