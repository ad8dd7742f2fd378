import { END_OF_STREAM } from '../../api/functions.js';
import type { Clock } from '../clock.js';
import type { Output } from '../output.js';
import { isThenable, type OperatorSetup } from '../stream-operator.js';
import type { StopSignal } from '../stop-signal.js';

/** Value a pull function returns when the source has no more records. */
export const EXHAUSTED: unique symbol = Symbol('exhausted');
/** Value a pull function returns when it has no record this call but is not done. */
export const NOTHING: unique symbol = Symbol('nothing');

export type Pulled = unknown | typeof EXHAUSTED | typeof NOTHING;

/** Continuous running time after which a source yields to the event loop (timers, signals, I/O). */
export const YIELD_EVERY_MS = 10;

/**
 * Runs a source: pulls records as fast as downstream accepts, in batches. A partly filled batch is handed on as
 * soon as the source has nothing ready (it awaits its next record across a turn of the event loop, or returns
 * `NOTHING`) and no earlier hand-over is still in flight, or after `lingerMs` at the latest: a slow source's
 * records go on at once, while a busy one (or one whose queue add is in flight) keeps filling the next batch.
 */
export abstract class SourceOperator {
  constructor(protected readonly setup: OperatorSetup) {}

  open(): void | Promise<void> {}
  close(): void | Promise<void> {}

  /** The next record, `NOTHING`, or `EXHAUSTED`; may be a promise. */
  protected abstract pull(): Pulled | Promise<Pulled>;

  async run(stop: StopSignal): Promise<void> {
    const { output, batchSize, clock, lingerMs, metrics } = this.setup;
    const handOver = new PartialBatchHandOver(output, clock, lingerMs);
    let sliceStart = clock.now();
    try {
      while (!stop.stopped) {
        let value = this.pull();
        if (isThenable(value)) {
          handOver.sourceWaits();
          value = await stop.race(value);
          handOver.sourceReady();
          handOver.throwIfFailed();
          if (stop.stopped) break;
        }
        if (value === EXHAUSTED) break;
        if (value === NOTHING) {
          handOver.sourceIdle();
          await yieldToEventLoop();
          handOver.throwIfFailed();
          continue;
        }
        output.emit(value);
        if (handOver.added() >= batchSize) {
          await handOver.flushFull();
          if (clock.now() - sliceStart >= YIELD_EVERY_MS) {
            await yieldToEventLoop();
            sliceStart = clock.now();
          }
        }
      }
      await handOver.settle();
    } finally {
      handOver.cancel();
      metrics.recordsOut = output.recordsOut;
    }
  }
}

/**
 * When a source's partly filled batch goes downstream (Nagle's rule, as a Kafka producer with `linger.ms` does):
 * while the source waits, an idle check one event-loop turn later (or the linger timer) hands the batch on,
 * unless a hand-over is in flight, in which case the next one starts when it completes. At most one is in flight;
 * a full batch waits for it, which keeps batches in order and is the backpressure.
 *
 * The linger bound is a deadline per partial batch, with at most one timer on the clock: a timer that fires
 * for a batch already handed on waits again until the current batch's deadline. A busy source hands on many
 * small batches per millisecond, and one timer set and cleared per batch was most of its garbage.
 */
class PartialBatchHandOver {
  private count = 0;
  private waiting = false;
  private inFlight: Promise<void> | undefined;
  private failure: { error: unknown } | undefined;
  /** Clock time by which the current partial batch must be handed on; undefined while it has no deadline. */
  private lingerDeadline: number | undefined;
  private cancelLinger: (() => void) | undefined;
  private idleCheck: NodeJS.Immediate | undefined;

  constructor(
    private readonly output: Output,
    private readonly clock: Clock,
    private readonly lingerMs: number,
  ) {}

  /** Records emitted since the last hand-over, this one included. */
  added(): number {
    return ++this.count;
  }

  /** The source awaits its next record: hand the batch on once the event loop turns, or after `lingerMs`. */
  sourceWaits(): void {
    this.waiting = true;
    if (this.count === 0) return;
    this.startLinger();
    this.idleCheck ??= setImmediate(this.onIdleCheck);
  }

  /** One function for every idle check, not a closure per wait of the source. */
  private readonly onIdleCheck = () => {
    this.idleCheck = undefined;
    if (this.waiting) this.handOver();
  };

  sourceReady(): void {
    this.waiting = false;
  }

  /** The source returned `NOTHING`: what it produced goes on now. */
  sourceIdle(): void {
    this.handOver();
  }

  throwIfFailed(): void {
    if (this.failure !== undefined) throw this.failure.error;
  }

  /** Hands a full batch on after the one in flight. */
  async flushFull(): Promise<void> {
    await this.settle();
    this.reset();
    await this.output.flush();
  }

  /** Waits for the hand-over in flight; rethrows its failure. */
  async settle(): Promise<void> {
    if (this.inFlight !== undefined) await this.inFlight;
    this.throwIfFailed();
  }

  cancel(): void {
    this.lingerDeadline = undefined;
    this.cancelLinger?.();
    this.cancelLinger = undefined;
    if (this.idleCheck !== undefined) clearImmediate(this.idleCheck);
    this.idleCheck = undefined;
  }

  /** The current batch is gone: its deadline and idle check with it (the linger timer stays for the next). */
  private reset(): void {
    this.count = 0;
    this.lingerDeadline = undefined;
    if (this.idleCheck !== undefined) clearImmediate(this.idleCheck);
    this.idleCheck = undefined;
  }

  private handOver(): void {
    if (this.count === 0 || this.inFlight !== undefined || this.failure !== undefined) return;
    this.reset();
    const flushing = this.output.flush();
    if (flushing === undefined) return;
    this.inFlight = flushing.then(
      () => {
        this.inFlight = undefined;
        // Records that came while it was in flight go on now if the source is still waiting; otherwise the
        // source is busy again and its partial batch keeps the linger bound.
        if (this.waiting) this.handOver();
        else if (this.count > 0) this.startLinger();
      },
      (error: unknown) => {
        this.inFlight = undefined;
        this.failure = { error };
      },
    );
  }

  /** Gives the current partial batch its deadline, and makes sure a timer will look at it by then. */
  private startLinger(): void {
    this.lingerDeadline ??= this.clock.now() + this.lingerMs;
    // The deadline may have passed while a hand-over was in flight: look at it on the next timer turn then.
    this.cancelLinger ??= this.clock.schedule(Math.max(0, this.lingerDeadline - this.clock.now()), () => this.lingerExpired());
  }

  private lingerExpired(): void {
    this.cancelLinger = undefined;
    const deadline = this.lingerDeadline;
    if (deadline === undefined) return;
    const left = deadline - this.clock.now();
    if (left > 0) this.cancelLinger = this.clock.schedule(left, () => this.lingerExpired());
    else this.handOver();
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
