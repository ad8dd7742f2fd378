import { once } from 'node:events';
import { SinkFunction } from '@sage/kernel';
import { checkConfig, optionalFunction } from './config-validation.js';
import { formatAnswer, isAnswerRecord } from './format-answer.js';
import { formatRecord } from './format-record.js';

export interface TerminalSinkConfig {
  /**
   * Renders a record as text; default: strings as they are, RAG answer records (a `query` and a `generated`
   * string) as the question, the answer, its sources and timings (`formatAnswer`), anything else as compact
   * JSON.
   * The record is `any` so that `(record: Order) => …` fits: the sink cannot know the stream's type.
   */
  format?: (record: any) => string;
}

const OPTIONS = ['format'] as const;

/**
 * Prints each record to stdout, one line per record. `close()` waits until stdout has taken everything, so
 * the output is complete when the job's result resolves, also when stdout is a slow pipe.
 */
export class TerminalSink extends SinkFunction<unknown, TerminalSinkConfig> {
  private readonly format: (record: unknown) => string;

  constructor(config?: TerminalSinkConfig) {
    super(config);
    const checked = checkConfig('TerminalSink', config ?? {}, OPTIONS);
    this.format = optionalFunction<(record: unknown) => string>('TerminalSink', checked, 'format') ?? formatForTerminal;
  }

  execute(record: unknown): void | Promise<void> {
    if (process.stdout.write(`${this.format(record)}\n`)) return;
    return once(process.stdout, 'drain').then(() => undefined);
  }

  override async close(): Promise<void> {
    if (process.stdout.writableNeedDrain) await once(process.stdout, 'drain');
  }
}

function formatForTerminal(record: unknown): string {
  return isAnswerRecord(record) ? formatAnswer(record) : formatRecord(record);
}
