import { OperatorError } from '@sage/common';
import { sleep } from './clock.js';
import { DEAD_LETTER_TAG, type DeadLetter, isThenable, StreamOperator } from './stream-operator.js';

/** Returned by `attempt` for a record that was skipped under `onError: 'skip'`. */
const SKIPPED: unique symbol = Symbol('skipped');

/** Where on an `OperatorError` the batch positions whose results were not handed on are noted. */
const UNHANDLED: unique symbol = Symbol('sage.unhandledRecords');

type Unhandled = { from: number } | { indices: number[] };

/**
 * The positions in the failed batch (of `length` records) whose results were not handed on when the
 * function failed under `onError: 'fail'`: what a restarted instance processes again. Undefined for errors
 * that did not come from the function on a record (open, finish, watermarks).
 */
export function unhandledRecords(error: unknown, length: number): number[] | undefined {
  const unhandled = error !== null && typeof error === 'object' ? (error as { [UNHANDLED]?: Unhandled })[UNHANDLED] : undefined;
  if (unhandled === undefined) return undefined;
  if ('indices' in unhandled) return unhandled.indices;
  return Array.from({ length: Math.max(0, length - unhandled.from) }, (_, offset) => unhandled.from + offset);
}

function noteUnhandled(error: unknown, unhandled: Unhandled): unknown {
  if (error !== null && typeof error === 'object') Object.defineProperty(error, UNHANDLED, { value: unhandled, configurable: true });
  return error;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

interface InFlight {
  index: number;
  record: unknown;
  outcome: Promise<Outcome>;
}

/**
 * The base of operators that run a user function per record. It owns the plumbing every such operator
 * shares: the key of the current record, the error policy (fail, skip to dead letters, retry), and async
 * functions with up to `concurrency` records in flight, in input order unless `ordered: false`.
 * Subclasses say how to call the function (`call`) and what to do with its result (`handleResult`).
 */
export abstract class UserFunctionOperator extends StreamOperator {
  private lastFlush = 0;

  protected abstract call(record: unknown, input: number): unknown;
  protected abstract handleResult(record: unknown, result: unknown): void;

  /** The event-time timestamps of the batch being processed, when it carries them. */
  protected batchTimestamps: number[] | undefined;
  /**
   * The timestamp of the record whose result is being handled; NaN for none. Always a number, so V8 keeps
   * the field as a double updated in place instead of boxing every record's timestamp.
   */
  private timestamp = Number.NaN;

  processBatch(records: unknown[], input: number, timestamps?: number[]): void | Promise<void> {
    const metrics = this.setup.metrics;
    metrics.recordsIn += records.length;
    metrics.batchesIn++;
    this.batchTimestamps = timestamps;
    return this.processFrom(records, input, 0);
  }

  /** Emits a result on the main output, with the timestamp of the record it came from when there is one. */
  protected emit(record: unknown): void {
    if (Number.isNaN(this.timestamp)) this.setup.output.emit(record);
    else this.setup.output.emitTimestamped(record, this.timestamp);
  }

  /** The general path from record `start` on: error policy per record, async from the first promise. */
  protected processFrom(records: unknown[], input: number, start: number): void | Promise<void> {
    for (let i = start; i < records.length; i++) {
      const record = records[i];
      const result = this.attempt(i, record, input, 0);
      if (result === SKIPPED) continue;
      if (isThenable(result)) return this.processAsync(records, input, i, result);
      this.handle(i, record, result);
    }
  }

  /**
   * For subclasses with a fast loop: record `index` returned `result` (a value or a promise) from a plain
   * call; handle it with the full policy and continue the batch on the general path.
   */
  protected resume(records: unknown[], input: number, index: number, result: unknown): void | Promise<void> {
    if (isThenable(result)) {
      const record = records[index];
      const guarded = Promise.resolve(result).then(undefined, (error) => this.onFailure(index, record, input, error, 0));
      return this.processAsync(records, input, index, guarded);
    }
    if (result !== SKIPPED) this.handle(index, records[index], result);
    return this.processFrom(records, input, index + 1);
  }

  /** For subclasses with a fast loop: record `index` threw `error`; apply the policy and continue. */
  protected resumeAfterError(records: unknown[], input: number, index: number, error: unknown): void | Promise<void> {
    return this.resume(records, input, index, this.onFailure(index, records[index], input, error, 0));
  }

  private processAsync(records: unknown[], input: number, start: number, first: unknown): Promise<void> {
    return this.setup.options.ordered
      ? this.processOrdered(records, input, start, first)
      : this.processUnordered(records, input, start, first);
  }

  /** Calls the function on record `index` of the batch once, applying the error policy; may return a promise. */
  private attempt(index: number, record: unknown, input: number, failures: number): unknown {
    const keySelector = this.setup.keySelectors[input];
    let result: unknown;
    try {
      if (keySelector !== undefined) this.setup.ctx.keyedState.currentKey = keySelector(record);
      result = this.call(record, input);
    } catch (error) {
      return this.onFailure(index, record, input, error, failures);
    }
    if (isThenable(result)) {
      return Promise.resolve(result).then(undefined, (error) => this.onFailure(index, record, input, error, failures));
    }
    return result;
  }

  private onFailure(index: number, record: unknown, input: number, error: unknown, failures: number): unknown {
    const { metrics, options } = this.setup;
    metrics.errors++;
    if (options.onError === 'retry' && failures < options.maxRetries) {
      metrics.retries++;
      if (options.retryDelayMs > 0) {
        return sleep(this.setup.clock, options.retryDelayMs).then(() => this.attempt(index, record, input, failures + 1));
      }
      return this.attempt(index, record, input, failures + 1);
    }
    if (options.onError === 'skip') {
      metrics.skipped++;
      const deadLetter: DeadLetter = {
        operator: options.name,
        record,
        error: error instanceof Error ? { name: error.name, message: error.message } : { name: 'Error', message: String(error) },
        attempts: failures + 1,
      };
      this.setup.output.emitSide(DEAD_LETTER_TAG, deadLetter);
      return SKIPPED;
    }
    // Sequential and ordered processing hand results on in input order: everything from here on is unhandled.
    throw noteUnhandled(error instanceof OperatorError ? error : new OperatorError(options.name, record, error), { from: index });
  }

  private async processOrdered(records: unknown[], input: number, start: number, first: unknown): Promise<void> {
    const concurrency = this.setup.options.concurrency;
    const window: InFlight[] = [{ index: start, record: records[start], outcome: settle(first) }];
    let next = start + 1;
    this.lastFlush = this.setup.clock.now();
    while (window.length > 0 || next < records.length) {
      while (window.length < concurrency && next < records.length) {
        const index = next++;
        const record = records[index];
        const result = this.attempt(index, record, input, 0);
        window.push({ index, record, outcome: settle(result) });
      }
      const head = window.shift()!;
      const outcome = await head.outcome;
      if (!outcome.ok) throw outcome.error;
      if (outcome.value !== SKIPPED) this.handle(head.index, head.record, outcome.value);
      await this.flushIfLingering();
    }
  }

  private async processUnordered(records: unknown[], input: number, start: number, first: unknown): Promise<void> {
    const concurrency = this.setup.options.concurrency;
    const completed: Array<{ index: number; record: unknown; outcome: Outcome }> = [];
    // Positions started but not handed on, for a restart after a failure.
    const pending = new Set<number>([start]);
    let inFlight = 0;
    let wake: (() => void) | undefined;
    const track = (index: number, record: unknown, result: unknown) => {
      inFlight++;
      settle(result).then((outcome) => {
        inFlight--;
        completed.push({ index, record, outcome });
        wake?.();
      });
    };
    track(start, records[start], first);
    let next = start + 1;
    this.lastFlush = this.setup.clock.now();
    while (inFlight > 0 || completed.length > 0 || next < records.length) {
      while (inFlight < concurrency && next < records.length) {
        const index = next++;
        const record = records[index];
        pending.add(index);
        const result = this.attempt(index, record, input, 0);
        if (isThenable(result)) track(index, record, result);
        else {
          pending.delete(index);
          if (result !== SKIPPED) this.handle(index, record, result);
        }
      }
      if (completed.length === 0 && inFlight > 0) {
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
      }
      for (const { index, record, outcome } of completed.splice(0)) {
        if (!outcome.ok) {
          const unhandled = [...pending, ...Array.from({ length: records.length - next }, (_, offset) => next + offset)];
          throw noteUnhandled(outcome.error, { indices: unhandled.sort((a, b) => a - b) });
        }
        pending.delete(index);
        if (outcome.value !== SKIPPED) this.handle(index, record, outcome.value);
      }
      await this.flushIfLingering();
    }
  }

  /**
   * Handles the result of record `index` of the batch. On timestamped batches its results keep the
   * record's timestamp (as in Flink), also when async results complete out of order.
   */
  private handle(index: number, record: unknown, result: unknown): void {
    const timestamps = this.batchTimestamps;
    if (timestamps === undefined) {
      this.handleResult(record, result);
      return;
    }
    this.timestamp = timestamps[index] ?? Number.NaN;
    this.handleResult(record, result);
    this.timestamp = Number.NaN;
  }

  /** Async operators hand on finished records at least every `lingerMs`, so slow calls do not hold them. */
  private flushIfLingering(): void | Promise<void> {
    const now = this.setup.clock.now();
    if (now - this.lastFlush < this.setup.lingerMs) return;
    this.lastFlush = now;
    return this.setup.output.flush();
  }
}

function settle(result: unknown): Promise<Outcome> {
  return Promise.resolve(result).then(
    (value) => ({ ok: true, value }),
    (error) => ({ ok: false, error }),
  );
}
