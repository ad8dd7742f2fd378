/**
 * Reading or writing a file failed, or a line of it could not be parsed. The message names the file (and
 * the line, `path:line`, when one is to blame); the underlying error, if any, is the `cause`.
 */
export class IoError extends Error {
  readonly filePath: string;
  /** 1-based line the error is about, when there is one. */
  readonly lineNumber: number | undefined;

  constructor(message: string, filePath: string, options: { lineNumber?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'IoError';
    this.filePath = filePath;
    this.lineNumber = options.lineNumber;
  }
}

/** The short reason of a Node error (`ENOENT: no such file or directory, open '…'`), or its text. */
export function describeCause(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}
