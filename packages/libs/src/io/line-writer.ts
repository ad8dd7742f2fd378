import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';
import { describeCause, IoError } from './io-error.js';

/**
 * Writes lines to a file through one write stream. `writeLine` returns a promise only when the stream's
 * buffer is full, so a fast pipeline waits for the disk instead of buffering without bound; `close()`
 * ends the stream and resolves once every line is written and the file is closed.
 */
export class LineWriter {
  private output: WriteStream | undefined;
  /** The first error the stream reported; later writes and `close()` fail with it. */
  private failure: IoError | undefined;

  constructor(
    private readonly owner: string,
    readonly filePath: string,
    private readonly append: boolean,
    private readonly encoding: BufferEncoding,
  ) {}

  /** Creates (or, without `append`, truncates) the file; fails with an `IoError` naming it. */
  async open(): Promise<void> {
    const output = createWriteStream(this.filePath, { flags: this.append ? 'a' : 'w', encoding: this.encoding });
    output.on('error', (cause) => {
      this.failure ??= new IoError(`${this.owner}: cannot write "${this.filePath}": ${describeCause(cause)}`, this.filePath, {
        cause,
      });
    });
    try {
      await once(output, 'open');
    } catch (cause) {
      throw new IoError(`${this.owner}: cannot open "${this.filePath}" for writing: ${describeCause(cause)}`, this.filePath, {
        cause,
      });
    }
    this.output = output;
  }

  /** Writes `text` and a newline; the returned promise (when there is one) resolves when the buffer drains. */
  writeLine(text: string): void | Promise<void> {
    const output = this.output;
    if (output === undefined) throw new Error(`${this.owner}: write before open() or after close()`);
    if (this.failure !== undefined) throw this.failure;
    if (output.write(`${text}\n`)) return;
    return this.drain(output);
  }

  /** Flushes what is buffered and closes the file; safe to call more than once, and when `open()` failed. */
  async close(): Promise<void> {
    const output = this.output;
    this.output = undefined;
    if (output === undefined) return;
    output.end();
    try {
      await finished(output);
    } catch {
      // Reported through `failure`, which the error listener has set.
    }
    if (this.failure !== undefined) throw this.failure;
  }

  private async drain(output: WriteStream): Promise<void> {
    await new Promise<void>((resolve) => {
      const done = () => {
        output.off('drain', done);
        output.off('error', done);
        resolve();
      };
      output.on('drain', done);
      output.on('error', done);
    });
    if (this.failure !== undefined) throw this.failure;
  }
}
