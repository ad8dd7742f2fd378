import { BatchFunction } from '@sage/kernel';
import { checkConfig, optionalBoolean, optionalEncoding, requiredString } from './config-validation.js';
import { LineReader, SKIP_LINE } from './line-reader.js';

export interface FileSourceConfig {
  /** The text file to read. */
  filePath: string;
  /** Default `utf8`. */
  encoding?: BufferEncoding;
  /** Skip lines that are empty or only whitespace; default true. */
  skipEmpty?: boolean;
}

const OPTIONS = ['filePath', 'encoding', 'skipEmpty'] as const;

/**
 * A bounded source emitting the lines of a text file, without their line endings, in file order. The file
 * is read lazily, never whole into memory. A missing file fails the job with an `IoError` naming it. With
 * parallelism p, instance i emits lines i+1, i+1+p, … so every line is emitted exactly once.
 *
 * ```ts
 * env.fromBatch(FileSource, { filePath: 'input.txt' }).print();
 * ```
 */
export class FileSource extends BatchFunction<string, FileSourceConfig> {
  private readonly filePath: string;
  private readonly encoding: BufferEncoding;
  private readonly skipEmpty: boolean;
  private reader: LineReader | undefined;

  constructor(config?: FileSourceConfig) {
    super(config);
    const checked = checkConfig('FileSource', config, OPTIONS);
    this.filePath = requiredString('FileSource', checked, 'filePath');
    this.encoding = optionalEncoding('FileSource', checked, 'encoding');
    this.skipEmpty = optionalBoolean('FileSource', checked, 'skipEmpty', true);
  }

  override async open(): Promise<void> {
    const reader = new LineReader('FileSource', this.filePath, this.encoding);
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
