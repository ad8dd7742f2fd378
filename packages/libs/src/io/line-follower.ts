import { type FSWatcher, type Stats, watch } from 'node:fs';
import { type FileHandle, stat } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { describeCause, IoError } from './io-error.js';
import { SKIP_LINE } from './line-reader.js';
import { openForReading } from './open-file.js';

const BYTE_ORDER_MARK = '\uFEFF';
/** Bytes read from the file per call; lines are read only when every buffered line has been taken. */
const CHUNK_BYTES = 64 * 1024;

export interface LineFollowerOptions {
  /** Longest wait, in ms, before the file is checked again when no change was reported. */
  pollIntervalMs: number;
  /** Listen for changes with `fs.watch` (else poll only); default true. */
  watch?: boolean;
}

/**
 * Reads a text file line by line like `LineReader`, then keeps following it like `tail -F`: at the end
 * of the file it waits for the file to change and hands out each new complete line (a last line without
 * its `\n` waits for it). Waiting is event driven: `fs.watch` on the file's directory wakes the reader,
 * and a timer every `pollIntervalMs` checks the file anyway, since `fs.watch` misses changes on some file
 * systems (network mounts) and may be unavailable; nothing runs in between.
 *
 * At the end of the file the path is checked:
 * - truncated (the same file, now shorter than what was read): reading starts again at its beginning and
 *   a partly read last line is dropped. A file truncated and then refilled beyond the old length before
 *   the check cannot be told from one that grew, and is read on from the old position;
 * - rotated (the path names another file, as after `mv app.log app.log.1` and a new `app.log`): the old
 *   file has been read to its end, its unterminated last line is handed out, and the new file is read
 *   from its beginning; lines appended to the old file after the switch are not read;
 * - missing: the reader waits for a file to appear at the path.
 *
 * `read` never returns `undefined` while open; `close()` ends a pending `read` with `undefined`.
 */
export class LineFollower {
  /** 1-based number of the line handed out last, counted across truncations and rotations. */
  lineNumber = 0;
  private handle: FileHandle | undefined;
  private inode = 0;
  private position = 0;
  private atFileStart = true;
  private decoder: StringDecoder;
  private partial = '';
  private buffer: string[] = [];
  private head = 0;
  private readonly chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  private watcher: FSWatcher | undefined;
  /** Set by the watcher; cleared before each read, so a change during a read is not slept through. */
  private changed = false;
  private wake: (() => void) | undefined;
  private closed = false;

  constructor(
    private readonly owner: string,
    readonly filePath: string,
    private readonly encoding: BufferEncoding,
    private readonly options: LineFollowerOptions,
  ) {
    this.decoder = new StringDecoder(encoding);
  }

  /** Whether `fs.watch` reports changes (false: polling only). */
  get watching(): boolean {
    return this.watcher !== undefined;
  }

  /** Opens the file (it must exist) and starts listening for changes. */
  async open(): Promise<void> {
    await this.switchTo(await openForReading(this.owner, this.filePath));
    if (this.options.watch !== false) this.startWatching();
  }

  /**
   * Reads lines until `select` returns something other than `SKIP_LINE`, and returns that; synchronous
   * while lines are buffered, else a promise that waits for the file to grow.
   */
  read<T>(select: (line: string) => T | typeof SKIP_LINE): T | undefined | Promise<T | undefined> {
    for (;;) {
      if (this.head === this.buffer.length) {
        if (this.closed) return undefined;
        return this.fill().then(() => this.read(select));
      }
      const selected = select(this.take());
      if (selected !== SKIP_LINE) return selected;
    }
  }

  /** Stops following and releases the file; a pending `read` resolves with `undefined`. Safe to repeat. */
  async close(): Promise<void> {
    this.closed = true;
    this.watcher?.close();
    this.watcher = undefined;
    this.wake?.();
    this.buffer = [];
    this.head = 0;
    const handle = this.handle;
    this.handle = undefined;
    await handle?.close();
  }

  /** Until a complete line is buffered: read, else follow a truncation or rotation, else wait. */
  private async fill(): Promise<void> {
    while (!this.closed && this.head === this.buffer.length) {
      this.changed = false;
      if ((await this.readChunk()) > 0) continue;
      if (await this.followReplacement()) continue;
      await this.waitForChange();
    }
  }

  /** Makes `handle` the file being read, from its start, and closes the previous one. */
  private async switchTo(handle: FileHandle): Promise<void> {
    if (this.closed) {
      await handle.close();
      return;
    }
    const previous = this.handle;
    this.handle = handle;
    this.inode = (await handle.stat()).ino;
    this.restart();
    await previous?.close();
  }

  /** Reads the next chunk into lines; 0 at the end of the file. */
  private async readChunk(): Promise<number> {
    const handle = this.handle;
    if (handle === undefined) return 0;
    let bytesRead: number;
    try {
      ({ bytesRead } = await handle.read(this.chunk, 0, CHUNK_BYTES, this.position));
    } catch (cause) {
      if (this.closed) return 0;
      throw new IoError(`${this.owner}: cannot read "${this.filePath}" after line ${this.lineNumber}: ${describeCause(cause)}`, this.filePath, {
        lineNumber: this.lineNumber + 1,
        cause,
      });
    }
    if (this.closed || bytesRead === 0) return 0;
    this.position += bytesRead;
    this.addText(this.decoder.write(this.chunk.subarray(0, bytesRead)));
    return bytesRead;
  }

  /** At the end of the file: true when the path was truncated or names a new file, now read from its start. */
  private async followReplacement(): Promise<boolean> {
    let current: Stats;
    try {
      current = await stat(this.filePath);
    } catch (cause) {
      if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw new IoError(`${this.owner}: cannot read "${this.filePath}": ${describeCause(cause)}`, this.filePath, { cause });
    }
    if (this.closed) return false;
    if (current.ino !== this.inode) {
      let next: FileHandle;
      try {
        next = await openForReading(this.owner, this.filePath);
      } catch (error) {
        if (((error as IoError).cause as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') return false; // Gone again.
        throw error;
      }
      this.addText(this.decoder.end());
      if (this.partial.length > 0) this.buffer.push(this.partial);
      await this.switchTo(next);
      return true;
    }
    if (current.size < this.position) {
      this.restart();
      return true;
    }
    return false;
  }

  /** Reads the current file again from its first byte. */
  private restart(): void {
    this.position = 0;
    this.atFileStart = true;
    this.partial = '';
    this.decoder = new StringDecoder(this.encoding);
  }

  private addText(text: string): void {
    if (this.atFileStart && text.length > 0) {
      this.atFileStart = false;
      if (text.startsWith(BYTE_ORDER_MARK)) text = text.slice(1);
    }
    const pieces = (this.partial + text).split('\n');
    this.partial = pieces.pop()!;
    for (const piece of pieces) this.buffer.push(piece.endsWith('\r') ? piece.slice(0, -1) : piece);
  }

  private take(): string {
    const line = this.buffer[this.head++]!;
    if (this.head === this.buffer.length) {
      this.buffer = [];
      this.head = 0;
    }
    this.lineNumber++;
    return line;
  }

  /** Resolves on the next reported change, after `pollIntervalMs` at the latest, or on close. */
  private waitForChange(): Promise<void> {
    if (this.changed || this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.wake?.(), this.options.pollIntervalMs);
      this.wake = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
    });
  }

  /**
   * Watches the directory rather than the file: a watch on the file would stay on the old file after a
   * rotation, and would not see the new file appear.
   */
  private startWatching(): void {
    const name = basename(this.filePath);
    const onChange = (_event: string, changed: string | Buffer | null) => {
      if (changed !== null && changed.toString() !== name) return;
      this.changed = true;
      this.wake?.();
    };
    try {
      this.watcher = watch(dirname(this.filePath), onChange);
    } catch {
      return; // No fs.watch here (or no inotify watches left): the poll timer alone notices changes.
    }
    this.watcher.on('error', () => {
      this.watcher?.close();
      this.watcher = undefined;
    });
  }
}
