import { ValidationError } from '@sage/common';
import type { Clock } from '../runtime/clock.js';
import type { WindowAssigner } from './assigners.js';
import { EventTimeTrigger } from './triggers.js';
import { requireNonNegativeMillis, requireWatermark, windowFunctionFailure } from './validation.js';
import { MAX_WATERMARK, MIN_WATERMARK, type TimeWindow, type Window } from './window.js';
import type { WindowKeySnapshot } from './window-key-snapshot.js';
import type { AggregateFunction, Collector, ProcessWindowFunction } from './window-functions.js';
import type { WindowOperatorOptions, WindowOperatorOutput } from './window-operator.js';

type OperatorSpec = Pick<WindowOperatorOptions<any, any, any, any>, 'assigner' | 'trigger' | 'evictor' | 'function'>;

/**
 * Why a window cannot run on a specialized TypeScript operator whose assigners `accepts` takes (`what` names
 * them), or `undefined` when it can: it needs the default event-time trigger, no evictor and an aggregate.
 */
export function aggregateWindowRefusal(spec: OperatorSpec, accepts: (assigner: WindowAssigner<Window>) => boolean, what: string): string | undefined {
  if (!accepts(spec.assigner)) return `${spec.assigner.name} is not ${what}`;
  if (spec.trigger !== undefined && !(spec.trigger instanceof EventTimeTrigger)) return `a custom trigger (${spec.trigger.constructor.name}) needs the general core`;
  if (spec.evictor !== undefined) return 'an evictor needs the general core';
  if (spec.function.kind !== 'aggregate') return 'a process window function over all elements needs the general core';
  return undefined;
}

/** Keys that slot maps hold by canonical form: what `Map` equality would not match by content. */
export function isObjectKey(key: unknown): boolean {
  return (typeof key === 'object' && key !== null) || typeof key === 'function' || typeof key === 'symbol';
}

/**
 * What the specialized TypeScript window operators share (event-time windows, default trigger, an aggregate,
 * optionally followed by a process window function): the options, event time, late records, and running the
 * user's functions with `WindowOperator`'s errors.
 */
export abstract class AggregateWindowBase<In, Out, Key> {
  readonly name: string;
  protected readonly allowedLateness: number;
  protected readonly aggregate: AggregateFunction<In, unknown, unknown>;
  protected readonly process: ProcessWindowFunction<unknown, Out, Key, TimeWindow> | undefined;
  protected readonly output: WindowOperatorOutput<Out>;
  protected watermark = MIN_WATERMARK;
  /** Keys (by key id) whose state changed since `takeKeyChanges()`, when tracking. */
  protected readonly changedKeys: Map<string, unknown> | undefined;
  private readonly keySelector: ((record: In) => Key) | undefined;
  private readonly clock: Clock;
  private readonly sideOutputLateData: ((record: In, timestamp: number) => void) | undefined;
  private lateRecordsDropped = 0;
  /** The process function's collector: its timestamp is the firing window's `maxTimestamp`. */
  private collectorTimestamp = 0;
  private readonly collector: Collector<Out> = { collect: (record) => this.output.collect(record, this.collectorTimestamp) };

  protected constructor(options: WindowOperatorOptions<In, Out, Key, Window>, refusal: string | undefined) {
    this.name = options.name;
    if (refusal !== undefined) throw new ValidationError(`window operator "${this.name}": ${refusal}`, { details: { operator: this.name } });
    this.allowedLateness = requireNonNegativeMillis(`window operator "${this.name}"`, 'allowedLateness', options.allowedLateness ?? 0);
    this.keySelector = options.keySelector;
    const windowFunction = options.function as Extract<WindowOperatorOptions<In, Out, Key, Window>['function'], { kind: 'aggregate' }>;
    this.aggregate = windowFunction.aggregate;
    this.process = windowFunction.process as ProcessWindowFunction<unknown, Out, Key, TimeWindow> | undefined;
    this.output = options.output;
    this.clock = options.clock;
    this.sideOutputLateData = options.sideOutputLateData;
    this.changedKeys = options.trackChanges ? new Map() : undefined;
  }

  get currentWatermark(): number {
    return this.watermark;
  }

  /** Late elements dropped because no side output was set. */
  get numLateRecordsDropped(): number {
    return this.lateRecordsDropped;
  }

  /** Windows that hold contents, over all keys. */
  abstract get windowCount(): number;

  abstract processElement(record: In, timestamp?: number): void;

  /** Advances event time: fires what the watermark makes due (`fireDue`), then forwards it. */
  processWatermark(watermark: number): void {
    requireWatermark(`window operator "${this.name}"`, watermark);
    if (watermark <= this.watermark) return;
    const previous = this.watermark;
    this.watermark = Math.min(watermark, MAX_WATERMARK);
    this.fireDue(previous);
    this.output.emitWatermark?.(this.watermark);
  }

  /** The input is over: the final watermark fires every remaining window. */
  endOfInput(): void {
    this.processWatermark(MAX_WATERMARK);
  }

  /** Nothing waits on a clock. */
  close(): void {}

  /**
   * The keys changed since the last call, each with its state as plain data (`undefined` when it has none), in
   * the general core's format: a key's state moves between workers whichever of the two runs there.
   */
  takeKeyChanges(): Array<[keyId: string, snapshot: WindowKeySnapshot | undefined]> {
    const changes: Array<[string, WindowKeySnapshot | undefined]> = [];
    for (const [keyId, key] of this.changedKeys ?? []) changes.push([keyId, this.snapshot(key, keyId)]);
    this.changedKeys?.clear();
    return changes;
  }

  /** Continues from snapshots `takeKeyChanges()` (of this operator or the general core) gave, with event time at `watermark`. */
  abstract restoreKeys(snapshots: Iterable<WindowKeySnapshot>, watermark: number): void;

  protected abstract snapshot(key: unknown, keyId: string): WindowKeySnapshot | undefined;

  /**
   * A window's event timers as the general core keeps them: the default trigger's at `maxTimestamp` until it
   * fired, and the cleanup timer at the end of the allowed lateness (one timer when they coincide).
   */
  protected timersOf(maxTimestamp: number, fired: boolean): number[] {
    const timers = fired ? [] : [maxTimestamp];
    const cleanup = this.cleanupTime(maxTimestamp);
    if (fired || cleanup !== maxTimestamp) timers.push(cleanup);
    return timers;
  }

  /** Fires the windows whose `maxTimestamp` is in `(previous, watermark]` and drops those past their lateness. */
  protected abstract fireDue(previous: number): void;

  protected cleanupTime(maxTimestamp: number): number {
    return Math.min(maxTimestamp + this.allowedLateness, MAX_WATERMARK);
  }

  protected selectKey(record: In): Key | undefined {
    if (this.keySelector === undefined) return undefined;
    try {
      return this.keySelector(record);
    } catch (error) {
      throw windowFunctionFailure(this.name, record, error);
    }
  }

  /** The aggregate's `add` of `value` to `accumulator` (a new one when `fresh`). */
  protected accumulate(value: In, accumulator: unknown, fresh: boolean): unknown {
    const { aggregate } = this;
    try {
      return aggregate.add(value, fresh ? aggregate.createAccumulator() : accumulator);
    } catch (error) {
      throw windowFunctionFailure(this.name, value, error);
    }
  }

  /** A record in no window that takes records any more: to the side output, or dropped and counted. */
  protected late(record: In, timestamp: number): void {
    if (this.sideOutputLateData !== undefined) this.sideOutputLateData(record, timestamp);
    else this.lateRecordsDropped++;
  }

  /** One key's result of `window`, through the process function when there is one. */
  protected fire(window: TimeWindow, key: unknown, accumulator: unknown): void {
    try {
      const result = this.aggregate.getResult(accumulator);
      if (this.process === undefined) {
        this.output.collect(result as Out, window.maxTimestamp);
        return;
      }
      this.collectorTimestamp = window.maxTimestamp;
      const context = { window, currentWatermark: this.watermark, currentProcessingTime: this.clock.now() };
      this.process.process(key as Key, context, [result], this.collector);
    } catch (error) {
      throw windowFunctionFailure(this.name, window, error);
    }
  }
}
