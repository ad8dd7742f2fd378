import { once } from 'node:events';
import type { ReadStream } from 'node:fs';
import { pipeline } from 'node:stream';
import { truncateForMessage, ValidationError } from '@sage/common';
import { BatchFunction } from '@sage/kernel';
import { type CastingFunction, type Parser, parse } from 'csv-parse';
import {
  checkConfig,
  optionalBoolean,
  optionalEncoding,
  optionalNameList,
  optionalString,
  requiredString,
} from './config-validation.js';
import { describeCause, IoError } from './io-error.js';
import { openForReading } from './open-file.js';

export interface CSVBatchConfig {
  /** The CSV file to read. */
  filePath: string;
  /** Field separator; default `,`. */
  delimiter?: string;
  /**
   * `true` (default): the first row is a header naming the fields. An array: the field names, in order, of
   * a file without a header row.
   */
  columns?: true | string[];
  /**
   * Turn unquoted fields that look like numbers into numbers and `true`/`false` (any case) into booleans;
   * default false (every field is a string). Quoted fields stay strings, as with Python's
   * `csv.QUOTE_NONNUMERIC`: quote `"007"` to keep it text. Integers beyond 2^53 stay strings rather than
   * lose digits.
   */
  cast?: boolean;
  /** Default `utf8`. */
  encoding?: BufferEncoding;
  /** Skip lines that are empty; default true. */
  skipEmptyLines?: boolean;
}

/** A row as a record: field name to value (a string, or with `cast` also a number or boolean). */
export type CSVRecord = Record<string, unknown>;

const OPTIONS = ['filePath', 'delimiter', 'columns', 'cast', 'encoding', 'skipEmptyLines'] as const;
const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const INTEGER = /^[+-]?\d+$/;

/**
 * A bounded source emitting one record per CSV row, in file order. The file is parsed as a stream by
 * `csv-parse` (quoted fields may hold delimiters, quotes `""` and newlines), never read whole into memory,
 * and rows already parsed are handed out synchronously. A missing file fails with an `IoError` naming it; a
 * malformed row (an unclosed quote, a row with more or fewer fields than there are columns) fails the job
 * with an `IoError` naming `path:line`, the line where the parser found the problem. With parallelism p,
 * instance i emits rows i+1, i+1+p, … (counting data rows, not the header) so every row is emitted once.
 *
 * ```ts
 * env.fromBatch(CSVBatch, { filePath: 'orders.csv', cast: true }).map((row) => row as Order);
 * ```
 */
export class CSVBatch extends BatchFunction<CSVRecord, CSVBatchConfig> {
  private readonly filePath: string;
  private readonly delimiter: string;
  private readonly columns: true | string[];
  private readonly cast: boolean;
  private readonly encoding: BufferEncoding;
  private readonly skipEmptyLines: boolean;
  private input: ReadStream | undefined;
  private parser: Parser | undefined;
  /** Data rows taken from the parser so far, by every instance's count. */
  private rowsTaken = 0;
  private ended = false;
  private failure: IoError | undefined;
  private wake: (() => void) | undefined;

  constructor(config?: CSVBatchConfig) {
    super(config);
    const checked = checkConfig('CSVBatch', config, OPTIONS);
    this.filePath = requiredString('CSVBatch', checked, 'filePath');
    this.delimiter = optionalString('CSVBatch', checked, 'delimiter', ',');
    this.columns = checked.columns === undefined || checked.columns === true ? true : columnNames(checked);
    this.cast = optionalBoolean('CSVBatch', checked, 'cast', false);
    this.encoding = optionalEncoding('CSVBatch', checked, 'encoding');
    this.skipEmptyLines = optionalBoolean('CSVBatch', checked, 'skipEmptyLines', true);
  }

  override async open(): Promise<void> {
    const handle = await openForReading('CSVBatch', this.filePath);
    // The stream owns the handle from here: it closes it when it ends or is destroyed.
    const input = handle.createReadStream();
    const parser = parse({
      delimiter: this.delimiter,
      columns: this.columns,
      cast: this.cast ? castField : false,
      encoding: this.encoding,
      skip_empty_lines: this.skipEmptyLines,
      bom: true,
    });
    parser.on('readable', () => this.wake?.());
    parser.on('end', () => {
      this.ended = true;
      this.wake?.();
    });
    // pipeline destroys both streams on the first error (and when close() destroys them: failure is then unused).
    pipeline(input, parser, (cause) => {
      if (cause === undefined || cause === null) return;
      this.failure ??= this.describeFailure(cause);
      this.wake?.();
    });
    this.input = input;
    this.parser = parser;
  }

  /** The next row of this instance; synchronous while parsed rows are buffered. */
  execute(): CSVRecord | undefined | Promise<CSVRecord | undefined> {
    const parser = this.parser;
    if (parser === undefined) throw new Error('CSVBatch: read before open() or after close()');
    const { parallelism, parallelIndex } = this.ctx;
    for (;;) {
      const record = parser.read() as CSVRecord | null;
      if (record === null) break;
      if (this.rowsTaken++ % parallelism === parallelIndex) return record;
    }
    if (this.failure !== undefined) throw this.failure;
    if (this.ended) return undefined;
    return new Promise<void>((resolve) => {
      this.wake = () => {
        this.wake = undefined;
        resolve();
      };
    }).then(() => this.execute());
  }

  override async close(): Promise<void> {
    const input = this.input;
    this.parser?.destroy();
    this.parser = undefined;
    this.input = undefined;
    if (input === undefined || input.closed) return;
    const closed = once(input, 'close');
    input.destroy();
    await closed;
  }

  private describeFailure(cause: Error): IoError {
    const line = (cause as { lines?: unknown }).lines;
    if ((cause as { code?: unknown }).code?.toString().startsWith('CSV_') && typeof line === 'number') {
      return new IoError(`CSVBatch: malformed row at ${this.filePath}:${line}: ${cause.message}`, this.filePath, {
        lineNumber: line,
        cause,
      });
    }
    return new IoError(`CSVBatch: cannot read "${this.filePath}": ${describeCause(cause)}`, this.filePath, { cause });
  }
}

function columnNames(config: Record<string, unknown>): string[] {
  if (!Array.isArray(config.columns)) {
    throw new ValidationError(
      `CSVBatch: option "columns" must be true (a header row) or an array of field names, got ${truncateForMessage(config.columns)}`,
    );
  }
  return optionalNameList('CSVBatch', config, 'columns')!;
}

/** The `cast` option: see `CSVBatchConfig.cast`. Header names are never cast. */
const castField: CastingFunction = (value, context) => {
  if (context.header || context.quoting) return value;
  const lower = value.toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  if (!NUMBER.test(value)) return value;
  const number = Number(value);
  if (INTEGER.test(value) && !Number.isSafeInteger(number)) return value;
  return number;
};
