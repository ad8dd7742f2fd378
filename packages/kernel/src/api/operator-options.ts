import { ValidationError } from '@sage/common';
import { checkRestartStrategy, type RestartStrategy } from '../runtime/restart-strategy.js';

/** What an operator does with a record whose function throws or rejects. */
export type ErrorPolicy = 'fail' | 'skip' | 'retry';

/** How records are spread over the instances of the next operator. */
export type KeyStrategy = 'hash' | 'broadcast' | 'roundRobin';

/** Per-operator options: always the last argument of an operator call. */
export interface OperatorOptions {
  /** Unique name in the job, shown in metrics and errors; default `<kind>_<n>`. */
  name?: string;
  /** Number of parallel instances; default 1. */
  parallelism?: number;
  /** Async functions: records in flight per instance; default 1. */
  concurrency?: number;
  /** Async functions: keep input order in the output (default) or emit as completed. */
  ordered?: boolean;
  /** Default `fail`: the job fails with an `OperatorError`. `skip` sends the record to the dead letters. */
  onError?: ErrorPolicy;
  /** With `onError: 'retry'`: attempts after the first before the job fails; default 3. */
  maxRetries?: number;
  /** With `onError: 'retry'`: pause before each new attempt, in ms; default 0. */
  retryDelayMs?: number;
  /** With `onError: 'fail'`: whether a failure restarts the instance or fails the job; default the job's strategy. */
  restart?: RestartStrategy;
}

export interface KeyByOptions {
  /** `hash` (default): one key always goes to the same instance. */
  strategy?: KeyStrategy;
}

export interface ResolvedOptions {
  name: string;
  parallelism: number;
  concurrency: number;
  ordered: boolean;
  onError: ErrorPolicy;
  maxRetries: number;
  retryDelayMs: number;
  /** Undefined: the job's strategy applies. */
  restart: RestartStrategy | undefined;
}

const KNOWN_OPTIONS = new Set(['name', 'parallelism', 'concurrency', 'ordered', 'onError', 'maxRetries', 'retryDelayMs', 'restart']);

/** Checks the options of one operator call and fills in the defaults. */
export function resolveOptions(where: string, defaultName: string, options: OperatorOptions = {}): ResolvedOptions {
  if (options === null || typeof options !== 'object') {
    throw new ValidationError(`${where}: options must be an object, got ${typeof options}`);
  }
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(key)) {
      throw new ValidationError(`${where}: unknown option "${key}" (known: ${[...KNOWN_OPTIONS].join(', ')})`);
    }
  }
  const name = options.name ?? defaultName;
  if (typeof name !== 'string' || name.length === 0) {
    throw new ValidationError(`${where}: option "name" must be a non-empty string`);
  }
  const onError = options.onError ?? 'fail';
  if (onError !== 'fail' && onError !== 'skip' && onError !== 'retry') {
    throw new ValidationError(`${where}: option "onError" must be 'fail', 'skip' or 'retry', got ${String(onError)}`);
  }
  if (options.restart !== undefined && onError !== 'fail') {
    throw new ValidationError(`${where}: option "restart" applies to onError 'fail' only (onError is '${onError}')`);
  }
  return {
    name,
    parallelism: positiveInteger(where, 'parallelism', options.parallelism, 1),
    concurrency: positiveInteger(where, 'concurrency', options.concurrency, 1),
    ordered: options.ordered ?? true,
    onError,
    maxRetries: nonNegativeInteger(where, 'maxRetries', options.maxRetries, 3),
    retryDelayMs: nonNegativeInteger(where, 'retryDelayMs', options.retryDelayMs, 0),
    restart: options.restart === undefined ? undefined : checkRestartStrategy(`${where}: option "restart"`, options.restart),
  };
}

function positiveInteger(where: string, option: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new ValidationError(`${where}: option "${option}" must be a positive integer, got ${String(value)}`);
  }
  return value;
}

function nonNegativeInteger(where: string, option: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new ValidationError(`${where}: option "${option}" must be a non-negative integer, got ${String(value)}`);
  }
  return value;
}
