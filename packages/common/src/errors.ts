/**
 * Typed errors. Every error SAGE raises is a `SageError` with a stable `code` that callers can switch on;
 * messages are for people and may change, codes may not.
 */
export type SageErrorCode =
  | 'SAGE_CONFIG'
  | 'SAGE_VALIDATION'
  | 'SAGE_PIPELINE'
  | 'SAGE_OPERATOR'
  | 'SAGE_SERVICE'
  | 'SAGE_SERVICE_TIMEOUT'
  | 'SAGE_SERVICE_NOT_FOUND'
  | 'SAGE_FUTURE'
  | 'SAGE_JOB_STOPPED'
  | 'SAGE_NATIVE'
  | 'SAGE_STORAGE';

export interface SageErrorOptions {
  cause?: unknown;
  details?: Record<string, unknown>;
}

export class SageError extends Error {
  readonly code: SageErrorCode;
  readonly details: Record<string, unknown>;

  constructor(code: SageErrorCode, message: string, options: SageErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.details = options.details ?? {};
  }
}

/**
 * True for any SAGE error, also one thrown by another copy of this package (a bundler or a TypeScript
 * loader can load two), where `instanceof SageError` would say false.
 */
export function isSageError(error: unknown): error is SageError {
  if (error instanceof SageError) return true;
  const code = error instanceof Error ? (error as Error & { code?: unknown }).code : undefined;
  return typeof code === 'string' && code.startsWith('SAGE_');
}

/** A configuration file or object is not what SAGE expects. */
export class ConfigError extends SageError {
  constructor(message: string, options: SageErrorOptions = {}) {
    super('SAGE_CONFIG', message, options);
  }
}

/** An argument passed to a SAGE API is invalid. */
export class ValidationError extends SageError {
  constructor(message: string, options: SageErrorOptions = {}) {
    super('SAGE_VALIDATION', message, options);
  }
}

/** The pipeline graph is malformed (unfilled future, bad connect, wrong arity…). */
export class PipelineError extends SageError {
  constructor(message: string, options: SageErrorOptions = {}) {
    super('SAGE_PIPELINE', message, options);
  }
}

/** A user function threw or rejected while processing a record. */
export class OperatorError extends SageError {
  readonly operator: string;
  readonly record: string;

  constructor(operator: string, record: unknown, cause: unknown) {
    const shown = truncateForMessage(record);
    const reason = cause instanceof Error ? cause.message : String(cause);
    super('SAGE_OPERATOR', `operator "${operator}" failed on record ${shown}: ${reason}`, {
      cause,
      details: { operator, record: shown },
    });
    this.operator = operator;
    this.record = shown;
  }
}

/** A service call failed or the service does not exist. */
export class ServiceError extends SageError {
  constructor(message: string, options: SageErrorOptions = {}) {
    super('SAGE_SERVICE', message, options);
  }
}

export class ServiceNotFoundError extends SageError {
  constructor(service: string, known: readonly string[]) {
    super(
      'SAGE_SERVICE_NOT_FOUND',
      `service "${service}" is not registered (registered: ${known.length ? known.join(', ') : 'none'})`,
      { details: { service } },
    );
  }
}

/** A service call did not answer within its timeout. */
export class ServiceTimeoutError extends SageError {
  constructor(service: string, method: string, timeoutMs: number) {
    super('SAGE_SERVICE_TIMEOUT', `service call ${service}.${method} timed out after ${timeoutMs} ms`, {
      details: { service, method, timeoutMs },
    });
  }
}

/**
 * Stored data cannot be used: a path that is not a SAGE database, a corrupt or foreign file, a format
 * version this release does not read. The data on disk is left as it was.
 */
export class StorageError extends SageError {
  readonly path: string;

  constructor(path: string, message: string, options: SageErrorOptions = {}) {
    super('SAGE_STORAGE', `${path}: ${message}`, { ...options, details: { path, ...options.details } });
    this.path = path;
  }
}

/** The job was stopped before it finished. */
export class JobStoppedError extends SageError {
  constructor(job: string) {
    super('SAGE_JOB_STOPPED', `job "${job}" was stopped`, { details: { job } });
  }
}

const MAX_RECORD_CHARS = 200;

/** A short, safe rendering of a record for error messages and logs. */
export function truncateForMessage(value: unknown, maxChars = MAX_RECORD_CHARS): string {
  let text: string;
  try {
    text = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value, bigintSafe) ?? String(value));
  } catch {
    text = String(value);
  }
  return text.length > maxChars ? `${text.slice(0, maxChars)}… (${text.length} chars)` : text;
}

function bigintSafe(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? `${value}n` : value;
}
