import { SinkFunction } from '@sage/kernel';
import {
  checkConfig,
  optionalBoolean,
  optionalEncoding,
  optionalFunction,
  requiredString,
  requireSingleInstance,
} from './config-validation.js';
import { formatRecord } from './format-record.js';
import { LineWriter } from './line-writer.js';

export interface FileSinkConfig {
  /** The file to write; its directory must exist. */
  filePath: string;
  /** Add to the end of an existing file instead of replacing it; default false. */
  append?: boolean;
  /** Default `utf8`. */
  encoding?: BufferEncoding;
  /** Renders a record as a line (`any`, as in `TerminalSinkConfig`); default: strings as they are, else compact JSON. */
  format?: (record: any) => string;
}

const OPTIONS = ['filePath', 'append', 'encoding', 'format'] as const;

/**
 * Writes each record as a line of a text file. The file is opened (created, or truncated unless `append`)
 * in `open()`, and flushed and closed in `close()`, so when the job's result resolves every line is in the
 * file. A string containing newlines spans several lines. Parallelism must be 1: instances would
 * interleave their writes to the one file.
 */
export class FileSink extends SinkFunction<unknown, FileSinkConfig> {
  private readonly writer: LineWriter;
  private readonly format: (record: unknown) => string;

  constructor(config?: FileSinkConfig) {
    super(config);
    const checked = checkConfig('FileSink', config, OPTIONS);
    const filePath = requiredString('FileSink', checked, 'filePath');
    const append = optionalBoolean('FileSink', checked, 'append', false);
    this.writer = new LineWriter('FileSink', filePath, append, optionalEncoding('FileSink', checked, 'encoding'));
    this.format = optionalFunction<(record: unknown) => string>('FileSink', checked, 'format') ?? formatRecord;
  }

  override async open(): Promise<void> {
    requireSingleInstance('FileSink', this.ctx.parallelism);
    await this.writer.open();
  }

  execute(record: unknown): void | Promise<void> {
    return this.writer.writeLine(this.format(record));
  }

  override async close(): Promise<void> {
    await this.writer.close();
  }
}
