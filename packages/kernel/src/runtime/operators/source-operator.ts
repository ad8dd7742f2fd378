import { END_OF_STREAM } from '../../api/functions.js';
import { isThenable, type OperatorSetup } from '../stream-operator.js';

/** Lets a running source see that the job is stopping, also while it awaits its next record. */
export interface StopSignal {
  readonly stopped: boolean;
  /** Resolves when the job stops. */
  readonly promise: Promise<void>;
}

/** A stop signal its owner can fire (once; later calls do nothing). */
export function createStopSignal(): StopSignal & { stop(): void } {
  let resolveStop!: () => void;
  const promise = new Promise<void>((resolve) => (resolveStop = resolve));
  const signal = {
    stopped: false,
    promise,
    stop() {
      if (signal.stopped) return;
      signal.stopped = true;
      resolveStop();
    },
  };
  return signal;
}

/** Value a pull function returns when the source has no more records. */
export const EXHAUSTED: unique symbol = Symbol('exhausted');
/** Value a pull function returns when it has no record this call but is not done. */
export const NOTHING: unique symbol = Symbol('nothing');

export type Pulled = unknown | typeof EXHAUSTED | typeof NOTHING;

/** Continuous running time after which a source yields to the event loop (timers, signals, I/O). */
export const YIELD_EVERY_MS = 10;

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
    // One linger timer per partly filled batch (not per record); it flushes only while the loop awaits
    // the source, never while the loop itself is flushing.
    let cancelLinger: (() => void) | undefined;
    let lingerFlush: void | Promise<void> | undefined;
    const stopLinger = () => {
      cancelLinger?.();
      cancelLinger = undefined;
    };
    const lingerFlushDone = () => {
      const flushing = lingerFlush;
      lingerFlush = undefined;
      return flushing;
    };
    try {
      while (!stop.stopped) {
        let value = this.pull();
        if (isThenable(value)) {
          if (count > 0 && cancelLinger === undefined) {
            cancelLinger = clock.schedule(lingerMs, () => {
              cancelLinger = undefined;
              count = 0;
              lingerFlush = output.flush();
            });
          }
          value = await Promise.race([value, stop.promise]);
          await lingerFlushDone();
          if (stop.stopped) break;
        }
        if (value === EXHAUSTED) break;
        if (value === NOTHING) {
          await yieldToEventLoop();
          await lingerFlushDone();
          continue;
        }
        output.emit(value);
        if (++count >= batchSize) {
          count = 0;
          stopLinger();
          await output.flush();
          if (clock.now() - sliceStart >= YIELD_EVERY_MS) {
            await yieldToEventLoop();
            sliceStart = clock.now();
          }
        }
      }
    } finally {
      stopLinger();
      // A flush started by the timer may fail once the job is torn down; the job's error is reported.
      if (lingerFlush !== undefined) Promise.resolve(lingerFlush).catch(() => {});
      metrics.recordsOut = output.recordsOut;
    }
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
