import { ValidationError } from '@sage/common';
import { BatchFunction } from '@sage/kernel';
import { checkConfig, optionalBoolean, optionalEncoding, optionalPositiveInteger, requiredString } from './config-validation.js';
import { LineFollower } from './line-follower.js';
import { LineReader, SKIP_LINE } from './line-reader.js';

export interface FileSourceConfig {
  /** The text file to read. */
  filePath: string;
  /** Default `utf8`. */
  encoding?: BufferEncoding;
  /** Skip lines that are empty or only whitespace; default true. */
  skipEmpty?: boolean;
  /**
   * Keep reading as lines are appended, like `tail -F`: the source no longer ends at the end of the file
   * but when the job stops. Default false.
   */
  follow?: boolean;
  /** With `follow`: longest wait, in ms, before the file is checked when no change was reported; default 1000. */
  pollIntervalMs?: number;
}

const OPTIONS = ['filePath', 'encoding', 'skipEmpty', 'follow', 'pollIntervalMs'] as const;
const DEFAULT_POLL_INTERVAL_MS = 1000;

/**
 * A bounded source emitting the lines of a text file, without their line endings, in file order. The file
 * is read lazily, never whole into memory. A missing file fails the job with an `IoError` naming it. With
 * parallelism p, instance i emits lines i+1, i+1+p, … so every line is emitted exactly once.
 *
 * ```ts
 * env.fromBatch(FileSource, { filePath: 'input.txt' }).print();
 * ```
 *
 * With `follow: true` the source emits the file's lines, then each complete line appended later (see
 * `LineFollower` for truncation and rotation), until the job stops: `await env.submit()` returns once the
 * job runs and `await env.stop()` ends it (or Ctrl+C); `submit({ autostop: true })` would wait for that
 * stop. Waiting for new lines costs nothing: the source sleeps until `fs.watch` reports a change, or
 * `pollIntervalMs` has passed. A followed file is read by one instance (parallelism 1), as instances that
 * each noticed a truncation at a different moment would no longer agree on line numbers; operators
 * downstream may still run with more instances.
 */
export class FileSource extends BatchFunction<string, FileSourceConfig> {
  private readonly filePath: string;
  private readonly encoding: BufferEncoding;
  private readonly skipEmpty: boolean;
  private readonly follow: boolean;
  private readonly pollIntervalMs: number;
  private reader: LineReader | LineFollower | undefined;

  constructor(config?: FileSourceConfig) {
    super(config);
    const checked = checkConfig('FileSource', config, OPTIONS);
    this.filePath = requiredString('FileSource', checked, 'filePath');
    this.encoding = optionalEncoding('FileSource', checked, 'encoding');
    this.skipEmpty = optionalBoolean('FileSource', checked, 'skipEmpty', true);
    this.follow = optionalBoolean('FileSource', checked, 'follow', false);
    if (!this.follow && checked.pollIntervalMs !== undefined) {
      throw new ValidationError('FileSource: option "pollIntervalMs" applies only with follow: true');
    }
    this.pollIntervalMs = optionalPositiveInteger('FileSource', checked, 'pollIntervalMs', DEFAULT_POLL_INTERVAL_MS);
  }

  override async open(): Promise<void> {
    if (this.follow && this.ctx.parallelism !== 1) {
      throw new ValidationError(`FileSource: a followed file is read by one instance, so parallelism must be 1, got ${this.ctx.parallelism}`);
    }
    const reader = this.follow
      ? new LineFollower('FileSource', this.filePath, this.encoding, { pollIntervalMs: this.pollIntervalMs })
      : new LineReader('FileSource', this.filePath, this.encoding);
    await reader.open();
    this.reader = reader;
  }

  /** The next line of this instance; synchronous while lines are buffered. */
  execute(): string | undefined | Promise<string | undefined> {
    const reader = this.reader!;
    const { parallelism, parallelIndex } = this.ctx;
    return reader.read((line) => {
      if ((reader.lineNumber - 1) % parallelism !== parallelIndex) return SKIP_LINE;
      if (this.skipEmpty && line.trim().length === 0) return SKIP_LINE;
      return line;
    });
  }

  override async close(): Promise<void> {
    await this.reader?.close();
  }
}
