import type { SageDbErrorCode } from './types.js';

/**
 * An error of the sage_db addon or its face. Errors thrown by the compiled addon itself are plain `Error`s
 * (TypeError for SAGE_DB_INVALID) carrying the same `code` (and `path` for file errors): test with
 * `isSageDbError`, not `instanceof`.
 */
export class SageDbError extends Error {
  readonly code: SageDbErrorCode;
  readonly path?: string;

  constructor(code: SageDbErrorCode, message: string, options: { cause?: unknown; path?: string } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SageDbError';
    this.code = code;
    if (options.path !== undefined) this.path = options.path;
  }
}

/** True for an error with a sage_db code (from the addon or from this face). */
export function isSageDbError(error: unknown): error is Error & { code: SageDbErrorCode; path?: string } {
  if (!(error instanceof Error)) return false;
  const code = (error as Error & { code?: unknown }).code;
  return typeof code === 'string' && (code === 'SAGE_NATIVE' || code.startsWith('SAGE_DB_'));
}

export function invalid(message: string): SageDbError {
  return new SageDbError('SAGE_DB_INVALID', message);
}
