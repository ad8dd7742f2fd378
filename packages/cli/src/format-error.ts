/**
 * How `sage` reports an error. SAGE errors are recognised by shape (`code` starting with `SAGE_`), not by
 * `instanceof`: a pipeline run through tsx, or a project with its own copy of @sage/common, has other class
 * identities than the CLI's.
 */

export interface SageErrorLike extends Error {
  code: string;
}

export function isSageErrorLike(error: unknown): error is SageErrorLike {
  if (!(error instanceof Error)) return false;
  const code: unknown = (error as Error & { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('SAGE_');
}

/**
 * `error SAGE_OPERATOR: <message>` for SAGE errors; the stack for anything else (a bug in user code needs its
 * location). With `verbose`, SAGE errors also show their stack and cause.
 */
export function formatError(error: unknown, verbose = false): string {
  if (isSageErrorLike(error)) {
    const lines = [`error ${error.code}: ${error.message}`];
    if (verbose) {
      if (error.stack) lines.push(error.stack);
      if (error.cause !== undefined) lines.push(`caused by: ${describe(error.cause)}`);
    }
    return `${lines.join('\n')}\n`;
  }
  return `error: ${describe(error)}\n`;
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`;
  return String(error);
}
