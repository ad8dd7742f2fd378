import { once } from 'node:events';
import type { ReadStream } from 'node:fs';
import { createInterface, type Interface } from 'node:readline';
import { describeCause, IoError } from './io-error.js';
import { openForReading } from './open-file.js';

const BYTE_ORDER_MARK = '\uFEFF';
/** Lines buffered before the file stream is paused, and the level at which it resumes. */
const HIGH_WATER_LINES = 4096;
const LOW_WATER_LINES = 1024;

/** Returned by a `read` selector to pass over a line. */
export const SKIP_LINE: unique symbol = Symbol('skipLine');

/**
 * Reads a text file one line at a time, lazily: `node:readline` splits a file stream into lines, and the
 * stream is paused while a few thousand lines wait to be taken, so memory stays bounded whatever the file's
 * size. Lines already read are handed out synchronously (no promise per line, which would cost a timer in
 * the kernel's async source path); only waiting for the disk returns a promise. `\n` and `\r\n` both end a
 * line; a UTF-8 byte order mark at the start is dropped.
 */
export class LineReader {
  /** 1-based number of the line handed out last; 0 before the first. */
  lineNumber = 0;
  private input: ReadStream | undefined;
  private lines: Interface | undefined;
  private buffer: string[] = [];
  private head = 0;
  private paused = false;
  private ended = false;
  private failure: IoError | undefined;
  private wake: (() => void) | undefined;

  constructor(
    private readonly owner: string,
    readonly filePath: string,
    private readonly encoding: BufferEncoding,
  ) {}

  /** Opens the file; a missing or unreadable file, or a directory, fails here with an `IoError` naming it. */
  async open(): Promise<void> {
    const handle = await openForReading(this.owner, this.filePath);
    // The stream owns the handle from here: it closes it when it ends or is destroyed.
    this.input = handle.createReadStream({ encoding: this.encoding });
    const lines = createInterface({ input: this.input, crlfDelay: Number.POSITIVE_INFINITY });
    lines.on('line', (line) => {
      this.buffer.push(line);
      if (!this.paused && this.buffer.length - this.head >= HIGH_WATER_LINES) {
        this.paused = true;
        lines.pause();
      }
      this.wake?.();
    });
    lines.on('close', () => {
      this.ended = true;
      this.wake?.();
    });
    // readline re-emits errors of its input stream here.
    lines.on('error', (cause) => {
      this.failure ??= new IoError(
        `${this.owner}: cannot read "${this.filePath}" after line ${this.lineNumber + this.buffered}: ${describeCause(cause)}`,
        this.filePath,
        { lineNumber: this.lineNumber + this.buffered + 1, cause },
      );
      this.wake?.();
    });
    this.lines = lines;
  }

  /**
   * Reads lines until `select` returns something other than `SKIP_LINE`, and returns that; `undefined`
   * at the end of the file. Synchronous while lines are buffered, else a promise.
   */
  read<T>(select: (line: string) => T | typeof SKIP_LINE): T | undefined | Promise<T | undefined> {
    for (;;) {
      if (this.head === this.buffer.length) {
        if (this.failure !== undefined) throw this.failure;
        if (this.ended) return undefined;
        return this.waitForLines().then(() => this.read(select));
      }
      const selected = select(this.take());
      if (selected !== SKIP_LINE) return selected;
    }
  }

  /** Stops reading and releases the file; safe to call more than once, and when `open()` failed. */
  async close(): Promise<void> {
    const input = this.input;
    this.lines?.close();
    this.lines = undefined;
    this.input = undefined;
    this.buffer = [];
    this.head = 0;
    if (input === undefined || input.closed) return;
    const closed = once(input, 'close');
    input.destroy();
    await closed;
  }

  private get buffered(): number {
    return this.buffer.length - this.head;
  }

  private take(): string {
    let line = this.buffer[this.head++]!;
    if (this.head === this.buffer.length) {
      this.buffer = [];
      this.head = 0;
    }
    this.lineNumber++;
    if (this.lineNumber === 1 && line.startsWith(BYTE_ORDER_MARK)) line = line.slice(1);
    if (this.paused && this.buffered <= LOW_WATER_LINES) {
      this.paused = false;
      this.lines?.resume();
    }
    return line;
  }

  private waitForLines(): Promise<void> {
    if (this.lines === undefined) return Promise.reject(new Error(`${this.owner}: read before open() or after close()`));
    if (this.paused) {
      this.paused = false;
      this.lines.resume();
    }
    return new Promise((resolve) => {
      this.wake = () => {
        this.wake = undefined;
        resolve();
      };
    });
  }
}
