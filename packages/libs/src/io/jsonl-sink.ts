import { SinkFunction } from '@sage/kernel';
import { checkConfig, optionalBoolean, requiredString, requireSingleInstance } from './config-validation.js';
import { LineWriter } from './line-writer.js';

export interface JSONLSinkConfig {
  /** The JSON Lines file to write; its directory must exist. */
  filePath: string;
  /** Add to the end of an existing file instead of replacing it; default false. */
  append?: boolean;
}

const OPTIONS = ['filePath', 'append'] as const;

/**
 * Writes each record as one line of JSON (UTF-8), with the guarantees of `FileSink`: opened in `open()`,
 * complete and closed after `close()`, parallelism 1. A record JSON cannot represent (a function,
 * `undefined`, a bigint, a cycle) fails like any operator error, under the operator's `onError` policy.
 */
export class JSONLSink extends SinkFunction<unknown, JSONLSinkConfig> {
  private readonly writer: LineWriter;

  constructor(config?: JSONLSinkConfig) {
    super(config);
    const checked = checkConfig('JSONLSink', config, OPTIONS);
    const filePath = requiredString('JSONLSink', checked, 'filePath');
    this.writer = new LineWriter('JSONLSink', filePath, optionalBoolean('JSONLSink', checked, 'append', false), 'utf8');
  }

  override async open(): Promise<void> {
    requireSingleInstance('JSONLSink', this.ctx.parallelism);
    await this.writer.open();
  }

  execute(record: unknown): void | Promise<void> {
    const line = JSON.stringify(record);
    if (line === undefined) throw new TypeError(`JSONLSink: a record of type ${typeof record} has no JSON form`);
    return this.writer.writeLine(line);
  }

  override async close(): Promise<void> {
    await this.writer.close();
  }
}
