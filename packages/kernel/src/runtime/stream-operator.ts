import type { ResolvedOptions } from '../api/operator-options.js';
import type { Clock } from './clock.js';
import type { InstanceMetrics } from './metrics.js';
import type { Output } from './output.js';
import type { RuntimeContext } from './runtime-context.js';

export type KeySelector = (record: any) => unknown;

/** Everything an operator instance needs from the runtime. */
export interface OperatorSetup {
  readonly ctx: RuntimeContext;
  readonly output: Output;
  readonly metrics: InstanceMetrics;
  readonly clock: Clock;
  readonly options: ResolvedOptions;
  readonly batchSize: number;
  /** Longest time an async operator holds finished records before handing them on. */
  readonly lingerMs: number;
  /** Key selector per input index, for inputs that are keyed. */
  readonly keySelectors: readonly (KeySelector | undefined)[];
  /**
   * Set on workers: what the operator keeps beyond `ctx.state` (window contents) must be handed to
   * `takeDurableChanges()` so that it survives a move to another worker.
   */
  readonly durable?: boolean;
}

/** A change to an operator's durable state: a field (starting with `#`) and its plain value, or undefined to delete. */
export type DurableChange = [field: string, value: unknown];

/** An operator instance that consumes batches (everything but sources). */
export abstract class StreamOperator {
  constructor(protected readonly setup: OperatorSetup) {}

  open(): void | Promise<void> {}
  /**
   * Whether the task forwards the combined watermark of the inputs after `processWatermark`. Operators that
   * make their own watermarks (timestamp assigners) say no.
   */
  readonly forwardsWatermarks: boolean = true;

  /**
   * Handles one batch from input `input`; emits through `setup.output`. `timestamps` (parallel to `records`)
   * is set only on batches that carry event time.
   */
  abstract processBatch(records: unknown[], input: number, timestamps?: number[]): void | Promise<void>;
  /**
   * Event time advanced to `watermark` (the minimum over every upstream instance of every input); at end of
   * input it is `MAX_WATERMARK`. Results emitted here go downstream before the watermark.
   */
  processWatermark(_watermark: number): void | Promise<void> {}
  /**
   * With `setup.durable`: the state kept beyond `ctx.state` that changed since the last call, as fields of the
   * partition's state (names start with `#`); committed with the batch. Default: nothing.
   */
  takeDurableChanges(): DurableChange[] {
    return [];
  }

  /** With `setup.durable`: continues from the fields earlier `takeDurableChanges()` wrote, at `watermark`. */
  restoreDurable(_fields: ReadonlyArray<[string, unknown]>, _watermark: number): void {}

  /** Called once after every input has ended, before the final flush. */
  finish(): void | Promise<void> {}
  /** Called once at the end, also when the job fails or stops. */
  close(): void | Promise<void> {}
}

/** The name of the side output that carries records skipped under `onError: 'skip'`. */
export const DEAD_LETTER_TAG = 'deadLetters';

/** A record that an operator skipped, as delivered on the dead-letter side output. */
export interface DeadLetter<T = unknown> {
  operator: string;
  record: T;
  error: { name: string; message: string };
  attempts: number;
}

/**
 * Whether a function's result is async. Only Promises count (every async function returns one): checking
 * for a `then` method on every plain result would cost a property lookup per record on the hot path.
 * Other thenables must be wrapped (`Promise.resolve(query)`).
 */
export function isThenable(value: unknown): value is Promise<unknown> {
  return value instanceof Promise;
}
