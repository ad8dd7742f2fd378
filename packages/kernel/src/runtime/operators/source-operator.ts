import { END_OF_STREAM } from '../../api/functions.js';
import { isThenable, type OperatorSetup } from '../stream-operator.js';

/** Lets a running source see that the job is stopping, also while it awaits its next record. */
export interface StopSignal {
  readonly stopped: boolean;
  /** Resolves when the job stops. */
  readonly promise: Promise<void>;
}

/** Value a pull function returns when the source has no more records. */
export const EXHAUSTED: unique symbol = Symbol('exhausted');
/** Value a pull function returns when it has no record this call but is not done. */
export const NOTHING: unique symbol = Symbol('nothing');

export type Pulled = unknown | typeof EXHAUSTED | typeof NOTHING;

/** Continuous running time after which a source yields to the event loop (timers, signals, I/O). */
const YIELD_EVERY_MS = 10;

/**
 * Runs a source: pulls records as fast as downstream accepts, in batches. When the source is async and
 * slow, records it already produced are handed on after `lingerMs` rather than held for a full batch.
 */
export abstract class SourceOperator {
  constructor(protected readonly setup: OperatorSetup) {}

  open(): void | Promise<void> {}
  close(): void | Promise<void> {}

  /** The next record, `NOTHING`, or `EXHAUSTED`; may be a promise. */
  protected abstract pull(): Pulled | Promise<Pulled>;

  async run(stop: StopSignal): Promise<void> {
    const { output, batchSize, clock, lingerMs, metrics } = this.setup;
    let count = 0;
    let sliceStart = clock.now();
    while (!stop.stopped) {
      let value = this.pull();
      if (isThenable(value)) {
        let timerFlush: void | Promise<void> | undefined;
        const cancel =
          count > 0
            ? clock.schedule(lingerMs, () => {
                count = 0;
                timerFlush = output.flush();
              })
            : undefined;
        value = await Promise.race([value, stop.promise]);
        cancel?.();
        if (timerFlush !== undefined) await timerFlush;
        if (stop.stopped) break;
      }
      if (value === EXHAUSTED) break;
      if (value === NOTHING) {
        await yieldToEventLoop();
        continue;
      }
      output.emit(value);
      if (++count >= batchSize) {
        count = 0;
        await output.flush();
        if (clock.now() - sliceStart >= YIELD_EVERY_MS) {
          await yieldToEventLoop();
          sliceStart = clock.now();
        }
      }
    }
    metrics.recordsOut = output.recordsOut;
  }
}

export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Maps what a `SourceFunction` returns onto pull values: `END_OF_STREAM` ends, `undefined` is no record. */
export function fromSourceResult(value: unknown): Pulled {
  if (value === END_OF_STREAM) return EXHAUSTED;
  if (value === undefined) return NOTHING;
  return value;
}
