import { BatchFunction } from '@sage/kernel';
import { checkConfig, optionalEncoding, requiredString } from './config-validation.js';
import { describeCause, IoError } from './io-error.js';
import { LineReader, SKIP_LINE } from './line-reader.js';

export interface JSONLBatchConfig {
  /** A JSON Lines file: one JSON value per line. */
  filePath: string;
  /** Default `utf8`. */
  encoding?: BufferEncoding;
}

const OPTIONS = ['filePath', 'encoding'] as const;

/**
 * A bounded source emitting one parsed value per line of a JSON Lines file, lazily and in file order.
 * Blank lines are skipped; a line that is not valid JSON fails the job with an `IoError` naming
 * `path:line`. Parallel instances split the lines as `FileSource` does. Records are `unknown`, as the file's
 * content is not checked: validate or cast them downstream (`.map((record) => record as Order)`).
 */
export class JSONLBatch extends BatchFunction<unknown, JSONLBatchConfig> {
  private readonly filePath: string;
  private readonly encoding: BufferEncoding;
  private reader: LineReader | undefined;

  constructor(config?: JSONLBatchConfig) {
    super(config);
    const checked = checkConfig('JSONLBatch', config, OPTIONS);
    this.filePath = requiredString('JSONLBatch', checked, 'filePath');
    this.encoding = optionalEncoding('JSONLBatch', checked, 'encoding');
  }

  override async open(): Promise<void> {
    const reader = new LineReader('JSONLBatch', this.filePath, this.encoding);
    await reader.open();
    this.reader = reader;
  }

  /** The next value of this instance; synchronous while lines are buffered. */
  execute(): unknown {
    const reader = this.reader!;
    const { parallelism, parallelIndex } = this.ctx;
    return reader.read((line) => {
      if ((reader.lineNumber - 1) % parallelism !== parallelIndex) return SKIP_LINE;
      if (line.trim().length === 0) return SKIP_LINE;
      try {
        return JSON.parse(line) as unknown;
      } catch (cause) {
        const where = `${this.filePath}:${reader.lineNumber}`;
        throw new IoError(`JSONLBatch: invalid JSON at ${where}: ${describeCause(cause)}`, this.filePath, {
          lineNumber: reader.lineNumber,
          cause,
        });
      }
    });
  }

  override async close(): Promise<void> {
    await this.reader?.close();
  }
}
