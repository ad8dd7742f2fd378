import { SinkFunction } from '@sage/kernel';
import { checkConfig, optionalFunction } from './config-validation.js';
import { formatAnswer, isAnswerRecord } from './format-answer.js';
import { formatRecord } from './format-record.js';
import { describeCause, IoError } from './io-error.js';

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

/** The name `IoError` gives stdout (Python's `sys.stdout.name`). */
const STDOUT = '<stdout>';

/**
 * Prints each record to stdout, one line per record. `close()` waits until stdout has taken everything, so
 * the output is complete when the job's result resolves, also when stdout is a slow pipe. A stdout that
 * fails (a closed pipe: `sage run … | head`) fails the job with an `IoError` naming `<stdout>`, so the other
 * sinks still close, instead of an unhandled stream error ending the process.
 */
export class TerminalSink extends SinkFunction<unknown, TerminalSinkConfig> {
  private readonly format: (record: unknown) => string;
  /** The first error stdout reported while the sink was open; later writes and `close()` fail with it. */
  private failure: IoError | undefined;
  private readonly onError = (cause: Error) => {
    this.failure ??= new IoError(`TerminalSink: cannot write to stdout: ${describeCause(cause)}`, STDOUT, { cause });
  };

  constructor(config?: TerminalSinkConfig) {
    super(config);
    const checked = checkConfig('TerminalSink', config ?? {}, OPTIONS);
    this.format = optionalFunction<(record: unknown) => string>('TerminalSink', checked, 'format') ?? formatForTerminal;
  }

  override open(): void {
    process.stdout.on('error', this.onError);
  }

  execute(record: unknown): void | Promise<void> {
    if (this.failure !== undefined) throw this.failure;
    if (process.stdout.write(`${this.format(record)}\n`)) return;
    return this.drain();
  }

  override async close(): Promise<void> {
    try {
      if (this.failure === undefined && process.stdout.writableLength > 0) await this.flushed();
      // A write that failed reports its 'error' event a tick after write() returned or its callback ran:
      // the sink listens until then, so the error fails the job rather than the process.
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.stdout.off('error', this.onError);
    }
    if (this.failure !== undefined) throw this.failure;
  }

  /** Resolves once stdout has written all it was given: a write's callback runs after those of earlier writes. */
  private flushed(): Promise<void> {
    return new Promise((resolve) => {
      process.stdout.write('', (error) => {
        if (error) this.onError(error);
        resolve();
      });
    });
  }

  /** Resolves when stdout drains; fails with the sink's error when stdout reports one instead. */
  private async drain(): Promise<void> {
    await new Promise<void>((resolve) => {
      const done = () => {
        process.stdout.off('drain', done);
        process.stdout.off('error', failed);
        resolve();
      };
      const failed = (cause: Error) => {
        this.onError(cause);
        done();
      };
      process.stdout.on('drain', done);
      process.stdout.on('error', failed);
    });
    if (this.failure !== undefined) throw this.failure;
  }
}

function formatForTerminal(record: unknown): string {
  return isAnswerRecord(record) ? formatAnswer(record) : formatRecord(record);
}
