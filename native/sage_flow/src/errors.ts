/** Codes of sage_flow errors: a bad argument, or the addon is missing or does not load. */
export type SageFlowErrorCode = 'SAGE_FLOW_INVALID' | 'SAGE_NATIVE';

/**
 * An error of the sage_flow addon or its face. Errors thrown by the compiled addon itself are `TypeError`s
 * carrying the same `code`: test with `isSageFlowError`, not `instanceof`.
 */
export class SageFlowError extends Error {
  readonly code: SageFlowErrorCode;
  readonly path?: string;

  constructor(code: SageFlowErrorCode, message: string, options: { cause?: unknown; path?: string } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SageFlowError';
    this.code = code;
    if (options.path !== undefined) this.path = options.path;
  }
}

/** True for an error with a sage_flow code (from the addon or from this face). */
export function isSageFlowError(error: unknown): error is Error & { code: SageFlowErrorCode } {
  if (!(error instanceof Error)) return false;
  const code = (error as Error & { code?: unknown }).code;
  return code === 'SAGE_FLOW_INVALID' || code === 'SAGE_NATIVE';
}

export function invalid(message: string): SageFlowError {
  return new SageFlowError('SAGE_FLOW_INVALID', message);
}

/** Runs an addon call: its TypeErrors with a sage_flow code become `SageFlowError`s. */
export function callAddon<R>(fn: () => R): R {
  try {
    return fn();
  } catch (error) {
    if (isSageFlowError(error) && !(error instanceof SageFlowError)) throw new SageFlowError(error.code, error.message, { cause: error });
    throw error;
  }
}
