import { truncateForMessage, ValidationError } from '@sage/common';

/**
 * Checks for the config objects of the io functions. Each throws a `ValidationError` naming the class, the
 * option and the bad value, so a wrong config fails when the job starts rather than halfway through a file.
 */

/** The config as a record; rejects a non-object config and options the class does not know (typos). */
export function checkConfig(owner: string, config: unknown, known: readonly string[]): Record<string, unknown> {
  if (config === null || typeof config !== 'object' || Array.isArray(config)) {
    throw new ValidationError(`${owner}: config must be an object, got ${truncateForMessage(config)}`);
  }
  for (const option of Object.keys(config)) {
    if (!known.includes(option)) {
      throw new ValidationError(`${owner}: unknown option "${option}" (known: ${known.join(', ')})`);
    }
  }
  return config as Record<string, unknown>;
}

export function requiredString(owner: string, config: Record<string, unknown>, option: string): string {
  const value = config[option];
  if (typeof value !== 'string' || value.length === 0) {
    throw new ValidationError(`${owner}: option "${option}" must be a non-empty string, got ${truncateForMessage(value)}`);
  }
  return value;
}

export function optionalString(owner: string, config: Record<string, unknown>, option: string, fallback: string): string {
  if (config[option] === undefined) return fallback;
  return requiredString(owner, config, option);
}

export function optionalPositiveInteger(owner: string, config: Record<string, unknown>, option: string, fallback: number): number {
  const value = config[option];
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new ValidationError(`${owner}: option "${option}" must be a positive integer, got ${truncateForMessage(value)}`);
  }
  return value;
}

/** A non-empty array of distinct non-empty strings (column names, file extensions). */
export function optionalNameList(owner: string, config: Record<string, unknown>, option: string): string[] | undefined {
  const value = config[option];
  if (value === undefined) return undefined;
  const valid =
    Array.isArray(value) &&
    value.length > 0 &&
    value.every((name) => typeof name === 'string' && name.length > 0) &&
    new Set(value).size === value.length;
  if (!valid) {
    throw new ValidationError(`${owner}: option "${option}" must be a non-empty array of distinct non-empty strings, got ${truncateForMessage(value)}`);
  }
  return [...(value as string[])];
}

export function optionalBoolean(owner: string, config: Record<string, unknown>, option: string, fallback: boolean): boolean {
  const value = config[option];
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') {
    throw new ValidationError(`${owner}: option "${option}" must be true or false, got ${truncateForMessage(value)}`);
  }
  return value;
}

export function optionalEncoding(owner: string, config: Record<string, unknown>, option: string): BufferEncoding {
  const value = config[option];
  if (value === undefined) return 'utf8';
  if (typeof value !== 'string' || !Buffer.isEncoding(value)) {
    throw new ValidationError(`${owner}: option "${option}" must be a Node.js buffer encoding such as "utf8", got ${truncateForMessage(value)}`);
  }
  return value;
}

export function optionalFunction<F extends (...args: any[]) => unknown>(
  owner: string,
  config: Record<string, unknown>,
  option: string,
): F | undefined {
  const value = config[option];
  if (value === undefined) return undefined;
  if (typeof value !== 'function') {
    throw new ValidationError(`${owner}: option "${option}" must be a function, got ${truncateForMessage(value)}`);
  }
  return value as F;
}

/** File sinks run as one instance: several would clobber or interleave each other's lines. */
export function requireSingleInstance(owner: string, parallelism: number): void {
  if (parallelism !== 1) {
    throw new ValidationError(`${owner}: parallelism must be 1 (instances would interleave writes to one file), got ${parallelism}`);
  }
}
