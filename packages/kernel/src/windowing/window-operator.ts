import { canonicalKey, PipelineError, ValidationError } from '@sage/common';
import type { Clock } from '../runtime/clock.js';
import { isMergingWindowAssigner, type WindowAssigner, type WindowAssignerContext } from './assigners.js';
import type { Evictor } from './evictors.js';
import { type MergeFunction, MergingWindowSet } from './merging-window-set.js';
import { TimerQueue, type WindowTimer } from './timer-queue.js';
import { WindowTriggerContext } from './window-trigger-context.js';
import { isFire, isPurge, type OnMergeContext, type Trigger, type TriggerResult } from './triggers.js';
import { requireNonNegativeMillis, requireOperatorTimestamp, requireWatermark, windowFunctionFailure } from './validation.js';
import { MAX_WATERMARK, MIN_WATERMARK, type TimestampedValue, type Window } from './window.js';
import { type WindowContents, type WindowKeySnapshot, windowFromId } from './window-key-snapshot.js';
import type { Collector, ProcessWindowContext, WindowFunction } from './window-functions.js';

export interface WindowOperatorOutput<Out> {
  /** A window result; `timestamp` is the window's `maxTimestamp`. */
  collect(record: Out, timestamp: number): void;
  /**
   * The first `count` results of `records`, each with its timestamp: what `collect` does for each, in one call
   * (a firing of thousands of windows hands its results on without a call chain per result).
   */
  collectAll?(records: ArrayLike<Out>, timestamps: ArrayLike<number>, count: number): void;
  /** Forwarded after the timers it makes due have fired. */
  emitWatermark?(watermark: number): void;
}

export interface WindowOperatorOptions<In, Out, Key, W extends Window> {
  /** Names the operator in errors. */
  name: string;
  assigner: WindowAssigner<W>;
  /** Replaces the assigner's default trigger. */
  trigger?: Trigger<any, W>;
  evictor?: Evictor<any, W>;
  /** Without a key selector every element shares one key (Flink's `windowAll`). */
  keySelector?: (record: In) => Key;
  /** Event time only: how long after a window's end late elements are still added to it. Default 0. */
  allowedLateness?: number;
  /** Receives late elements; without it they are dropped and counted in `numLateRecordsDropped`. */
  sideOutputLateData?: (record: In, timestamp: number) => void;
  function: WindowFunction<In, Out, Key, W>;
  output: WindowOperatorOutput<Out>;
  /** The processing-time clock: processing-time windows and their timers. */
  clock: Clock;
  /** Note which keys change, for `takeKeyChanges()` (workers commit them to Redis). */
  trackChanges?: boolean;
}

type Contents<In> = WindowContents<In>;

interface KeyState<Key, W extends Window> {
  key: Key;
  keyId: string;
  /** By state window id. */
  contents: Map<string, Contents<any>>;
  /** Trigger state by window id, then by name. */
  triggerState: Map<string, Map<string, unknown>>;
  mergingWindows: MergingWindowSet<W> | undefined;
  /** The merge callback of `mergingWindows`, made once. */
  mergeFunction: MergeFunction<W> | undefined;
}

type TimeDomain = 'event' | 'processing';

/**
 * The keyed window operator core (Flink's `WindowOperator` and `EvictingWindowOperator`): per key and window it
 * keeps the contents and trigger state, runs event-time timers on `processWatermark` and processing-time timers
 * on the injected clock, handles allowed lateness and late data, and cleans each window up at its cleanup time
 * (`maxTimestamp + allowedLateness` in event time, `maxTimestamp` in processing time).
 */
export class WindowOperator<In, Out, Key = unknown, W extends Window = Window> {
  readonly name: string;
  private readonly assigner: WindowAssigner<W>;
  private readonly trigger: Trigger<any, W>;
  private readonly evictor: Evictor<any, W> | undefined;
  private readonly allowedLateness: number;
  private readonly keepsElements: boolean;
  private readonly keys = new Map<string, KeyState<Key, W>>();
  private readonly eventTimers = new TimerQueue<Key>();
  private readonly processingTimers = new TimerQueue<Key>();
  private watermark = MIN_WATERMARK;
  /** The `maxTimestamp` of the window whose function runs: the timestamp of what it collects. */
  private collectorTimestamp = 0;
  private readonly collector: Collector<Out> = { collect: (record) => this.options.output.collect(record, this.collectorTimestamp) };
  private lateRecordsDropped = 0;
  /** Clock callbacks not yet run, cancelled by `close()`. */
  private readonly scheduled = new Set<() => void>();
  private readonly assignerContext: WindowAssignerContext;
  private readonly context: WindowTriggerContext<Key, W>;
  /** Keys whose state changed since `takeKeyChanges()`, when tracking. */
  private readonly changedKeys: Set<string> | undefined;

  constructor(private readonly options: WindowOperatorOptions<In, Out, Key, W>) {
    this.name = options.name;
    this.assigner = options.assigner;
    this.trigger = options.trigger ?? options.assigner.getDefaultTrigger();
    this.evictor = options.evictor;
    this.allowedLateness = requireNonNegativeMillis(`window operator "${this.name}"`, 'allowedLateness', options.allowedLateness ?? 0);
    if (this.allowedLateness > 0 && !this.assigner.isEventTime) {
      throw new ValidationError(`window operator "${this.name}": allowedLateness applies to event-time windows only, ${this.assigner.name} is processing time`, {
        details: { operator: this.name, allowedLateness: this.allowedLateness },
      });
    }
    if (isMergingWindowAssigner(this.assigner) && !this.trigger.canMerge()) {
      throw new ValidationError(`window operator "${this.name}": trigger ${this.trigger.constructor.name} cannot be used with merging windows (${this.assigner.name})`, {
        details: { operator: this.name },
      });
    }
    this.keepsElements = options.function.kind === 'process' || this.evictor !== undefined;
    this.changedKeys = options.trackChanges ? new Set() : undefined;
    const clock = options.clock;
    this.assignerContext = {
      get currentProcessingTime() {
        return Math.floor(clock.now());
      },
    };
    const operator = this;
    this.context = new WindowTriggerContext<Key, W>({
      get currentWatermark() {
        return operator.watermark;
      },
      clock,
      eventTimers: this.eventTimers,
      processingTimers: this.processingTimers,
      scheduleProcessingTime: (time) => this.scheduleProcessingTime(time),
    });
  }

  get currentWatermark(): number {
    return this.watermark;
  }

  /** Late elements dropped because no side output was set. */
  get numLateRecordsDropped(): number {
    return this.lateRecordsDropped;
  }

  /** Windows that hold contents, over all keys. */
  get windowCount(): number {
    let count = 0;
    for (const keyState of this.keys.values()) count += keyState.contents.size;
    return count;
  }

  /** `timestamp` is required for event-time windows; processing-time windows use the clock. */
  processElement(record: In, timestamp?: number): void {
    // Event time reads the clock only if the assigner asks for it.
    const now = this.assigner.isEventTime ? undefined : Math.floor(this.options.clock.now());
    const elementTimestamp = now === undefined || timestamp !== undefined ? requireOperatorTimestamp('window operator', this.name, timestamp, record) : now;
    // No closures in here: a closure over this method's variables would make V8 allocate them on the heap
    // (a context, a boxed timestamp) for every element.
    const key = this.options.keySelector === undefined ? (undefined as Key) : this.selectKey(record);
    const assignerContext = now === undefined ? this.assignerContext : { currentProcessingTime: now };
    const windows = this.assignWindows(record, elementTimestamp, assignerContext);
    const keyState = this.keyState(key);
    this.changedKeys?.add(keyState.keyId);
    const element: TimestampedValue<In> = { value: record, timestamp: elementTimestamp };
    let skipped = true;
    for (const window of windows) {
      let actualWindow = window;
      let stateWindow = window;
      if (isMergingWindowAssigner(this.assigner)) {
        const mergingWindows = (keyState.mergingWindows ??= new MergingWindowSet(this.assigner as never));
        actualWindow = mergingWindows.addWindow(window, this.mergeFunctionOf(keyState));
        if (this.isWindowLate(actualWindow)) {
          mergingWindows.retireWindow(actualWindow);
          continue;
        }
        stateWindow = mergingWindows.getStateWindow(actualWindow)!;
      } else if (this.isWindowLate(window)) {
        continue;
      }
      skipped = false;
      this.addToContents(keyState, stateWindow, element);
      const result = this.triggerOnElement(record, elementTimestamp, actualWindow, keyState);
      this.applyTriggerResult(result, keyState, actualWindow, stateWindow);
      this.registerCleanupTimer(keyState, actualWindow);
    }
    if (skipped && this.isElementLate(elementTimestamp)) {
      if (this.options.sideOutputLateData !== undefined) this.options.sideOutputLateData(record, elementTimestamp);
      else this.lateRecordsDropped++;
    }
    this.dropKeyIfEmpty(keyState);
  }

  /** Advances event time: fires every event-time timer at or before `watermark`, then forwards it. */
  processWatermark(watermark: number): void {
    requireWatermark(`window operator "${this.name}"`, watermark);
    if (watermark <= this.watermark) return;
    this.watermark = Math.min(watermark, MAX_WATERMARK);
    for (let timer = this.eventTimers.pollDue(this.watermark); timer !== undefined; timer = this.eventTimers.pollDue(this.watermark)) {
      this.onTimer(timer, 'event');
    }
    this.options.output.emitWatermark?.(this.watermark);
  }

  /** The input is over: the final watermark fires every remaining event-time window. */
  endOfInput(): void {
    this.processWatermark(MAX_WATERMARK);
  }

  /** Cancels pending processing-time callbacks, so a finished job leaves nothing on the clock. */
  close(): void {
    for (const cancel of this.scheduled) cancel();
    this.scheduled.clear();
  }

  /** The keys changed since the last call, each with its state as plain data, or `undefined` when it has none. */
  takeKeyChanges(): Array<[keyId: string, snapshot: WindowKeySnapshot | undefined]> {
    const changes: Array<[string, WindowKeySnapshot | undefined]> = [];
    for (const keyId of this.changedKeys ?? []) {
      const keyState = this.keys.get(keyId);
      changes.push([keyId, keyState === undefined ? undefined : this.snapshot(keyState)]);
    }
    this.changedKeys?.clear();
    return changes;
  }

  /** Continues from snapshots `takeKeyChanges()` gave, with event time at `watermark` (whose timers have fired). */
  restoreKeys(snapshots: Iterable<WindowKeySnapshot>, watermark: number): void {
    this.watermark = watermark;
    const windowOf = (id: string) => windowFromId(this.name, id) as W;
    for (const snapshot of snapshots) {
      const keyState = this.keyState(snapshot.key as Key);
      for (const [id, contents] of snapshot.contents) keyState.contents.set(id, contents);
      for (const [id, state] of snapshot.triggerState) keyState.triggerState.set(id, new Map(state));
      if (snapshot.merging !== undefined) (keyState.mergingWindows ??= new MergingWindowSet(this.assigner as never)).restore(snapshot.merging, windowOf);
      const timer = (timestamp: number, id: string): WindowTimer<Key> => ({ timestamp, key: keyState.key, keyId: keyState.keyId, window: windowOf(id) });
      for (const [id, timestamps] of snapshot.eventTimers) for (const timestamp of timestamps) this.eventTimers.register(timer(timestamp, id));
      for (const [id, timestamps] of snapshot.processingTimers) {
        for (const timestamp of timestamps) if (this.processingTimers.register(timer(timestamp, id))) this.scheduleProcessingTime(timestamp);
      }
    }
  }

  private snapshot(keyState: KeyState<Key, W>): WindowKeySnapshot {
    return {
      key: keyState.key,
      contents: [...keyState.contents],
      triggerState: [...keyState.triggerState].map(([id, state]) => [id, [...state]]),
      ...(keyState.mergingWindows === undefined ? {} : { merging: keyState.mergingWindows.entries() }),
      eventTimers: this.eventTimers.timersOf(keyState.keyId),
      processingTimers: this.processingTimers.timersOf(keyState.keyId),
    };
  }

  private onTimer(timer: WindowTimer<Key>, domain: TimeDomain): void {
    this.changedKeys?.add(timer.keyId);
    const keyState = this.keys.get(timer.keyId);
    if (keyState === undefined) return;
    const window = timer.window as W;
    let stateWindow: W | undefined = window;
    if (isMergingWindowAssigner(this.assigner)) {
      // A window merged away since the timer was set has no state window any more.
      stateWindow = keyState.mergingWindows?.getStateWindow(window);
      if (stateWindow === undefined) return;
    }
    const context = this.triggerContext(keyState, window);
    const result = this.call(window, () =>
      domain === 'event' ? this.trigger.onEventTime(timer.timestamp, window, context) : this.trigger.onProcessingTime(timer.timestamp, window, context),
    );
    this.applyTriggerResult(result, keyState, window, stateWindow);
    if ((domain === 'event') === this.assigner.isEventTime && timer.timestamp === this.cleanupTime(window)) {
      this.clearAllState(keyState, window, stateWindow);
    }
    this.dropKeyIfEmpty(keyState);
  }

  private advanceProcessingTime(): void {
    const now = this.options.clock.now();
    for (let timer = this.processingTimers.pollDue(now); timer !== undefined; timer = this.processingTimers.pollDue(now)) {
      this.onTimer(timer, 'processing');
    }
  }

  private applyTriggerResult(result: TriggerResult, keyState: KeyState<Key, W>, window: W, stateWindow: W): void {
    if (isFire(result)) this.emitWindowContents(keyState, window, stateWindow);
    if (isPurge(result)) keyState.contents.delete(stateWindow.id);
  }

  private mergeWindows(keyState: KeyState<Key, W>, mergeResult: W, mergedWindows: W[], stateWindowResult: W, mergedStateWindows: W[]): void {
    if (this.assigner.isEventTime && this.cleanupTime(mergeResult) <= this.watermark) {
      throw new PipelineError(`window operator "${this.name}": merging produced window ${String(mergeResult)} that ends before the watermark ${this.watermark}`);
    }
    this.call(mergeResult, () => this.trigger.onMerge(mergeResult, this.triggerContext(keyState, mergeResult, mergedWindows)));
    for (const window of mergedWindows) {
      this.call(window, () => this.trigger.clear(window, this.triggerContext(keyState, window)));
      keyState.triggerState.delete(window.id);
      this.deleteCleanupTimer(keyState, window);
    }
    for (const stateWindow of mergedStateWindows) {
      const source = keyState.contents.get(stateWindow.id);
      keyState.contents.delete(stateWindow.id);
      if (source === undefined) continue;
      const target = keyState.contents.get(stateWindowResult.id);
      keyState.contents.set(stateWindowResult.id, target === undefined ? source : this.mergeContents(stateWindowResult, target, source));
    }
  }

  private addToContents(keyState: KeyState<Key, W>, stateWindow: W, element: TimestampedValue<In>): void {
    const contents = keyState.contents.get(stateWindow.id);
    if (this.keepsElements) {
      if (contents === undefined) keyState.contents.set(stateWindow.id, { elements: [element] });
      else (contents as { elements: TimestampedValue<In>[] }).elements.push(element);
      return;
    }
    if (contents === undefined) {
      keyState.contents.set(stateWindow.id, { accumulator: this.accumulate(element.value, undefined, true) });
      return;
    }
    // Updated in place: one holder per window, not one per element.
    const holder = contents as { accumulator: unknown };
    holder.accumulator = this.accumulate(element.value, holder.accumulator, false);
  }

  /** The aggregate's `add` of `value` to `accumulator` (a new one when `fresh`); no closure, so no context per element. */
  private accumulate(value: In, accumulator: unknown, fresh: boolean): unknown {
    const aggregate = this.aggregateFunction();
    try {
      return aggregate.add(value, fresh ? aggregate.createAccumulator() : accumulator);
    } catch (error) {
      throw windowFunctionFailure(this.name, value, error);
    }
  }

  private mergeContents(window: W, target: Contents<In>, source: Contents<In>): Contents<In> {
    if ('elements' in target) return { elements: [...target.elements, ...(source as { elements: TimestampedValue<In>[] }).elements] };
    const aggregate = this.aggregateFunction();
    return { accumulator: this.call(window, () => aggregate.merge(target.accumulator, (source as { accumulator: unknown }).accumulator)) };
  }

  private emitWindowContents(keyState: KeyState<Key, W>, window: W, stateWindow: W): void {
    const contents = keyState.contents.get(stateWindow.id);
    if (contents === undefined) return;
    const context = { window, currentWatermark: this.watermark, currentProcessingTime: this.options.clock.now() };
    let elements: TimestampedValue<In>[] | undefined;
    let accumulator: unknown;
    if ('elements' in contents) {
      elements = this.evictor === undefined ? contents.elements : this.call(window, () => this.evictor!.evictBefore(contents.elements, window, context));
    } else {
      accumulator = contents.accumulator;
    }
    // As Flink's timestamped collector: one collector, its timestamp set for each window.
    this.collectorTimestamp = window.maxTimestamp;
    this.applyWindowFunction(keyState.key, context, elements, accumulator);
    if (elements !== undefined && this.evictor !== undefined) {
      const kept = this.call(window, () => this.evictor!.evictAfter(elements!, window, context));
      keyState.contents.set(stateWindow.id, { elements: kept });
    }
  }

  /** The window function over a fired window's elements or accumulator; no closure, so nothing per window on the heap but its result. */
  private applyWindowFunction(key: Key, context: ProcessWindowContext<W>, elements: TimestampedValue<In>[] | undefined, accumulator: unknown): void {
    const windowFunction = this.options.function;
    const collector = this.collector;
    try {
      if (windowFunction.kind === 'process') {
        windowFunction.process.process(key, context, elements!.map((element) => element.value), collector);
        return;
      }
      if (elements !== undefined) {
        accumulator = windowFunction.aggregate.createAccumulator();
        for (const element of elements) accumulator = windowFunction.aggregate.add(element.value, accumulator);
      }
      const result = windowFunction.aggregate.getResult(accumulator);
      if (windowFunction.process === undefined) collector.collect(result as Out);
      else windowFunction.process.process(key, context, [result], collector);
    } catch (error) {
      throw windowFunctionFailure(this.name, context.window, error);
    }
  }

  private clearAllState(keyState: KeyState<Key, W>, window: W, stateWindow: W): void {
    keyState.contents.delete(stateWindow.id);
    this.call(window, () => this.trigger.clear(window, this.triggerContext(keyState, window)));
    keyState.triggerState.delete(window.id);
    keyState.mergingWindows?.retireWindow(window);
  }

  /** Event time: `maxTimestamp + allowedLateness`, capped at `MAX_WATERMARK`. Processing time: `maxTimestamp`. */
  private cleanupTime(window: W): number {
    if (!this.assigner.isEventTime) return window.maxTimestamp;
    return Math.min(window.maxTimestamp + this.allowedLateness, MAX_WATERMARK);
  }

  /** A window past its cleanup time takes no more elements. */
  private isWindowLate(window: W): boolean {
    return this.assigner.isEventTime && this.cleanupTime(window) <= this.watermark;
  }

  private isElementLate(timestamp: number): boolean {
    return this.assigner.isEventTime && timestamp + this.allowedLateness <= this.watermark;
  }

  /** The global window never ends, so it has no cleanup timer. */
  private registerCleanupTimer(keyState: KeyState<Key, W>, window: W): void {
    const time = this.cleanupTime(window);
    if (time === MAX_WATERMARK) return;
    // Once per element and window: event time skips building a whole trigger context.
    if (this.assigner.isEventTime) {
      if (!this.eventTimers.has(keyState.keyId, window, time)) this.eventTimers.register({ timestamp: time, key: keyState.key, keyId: keyState.keyId, window });
    }
    else this.triggerContext(keyState, window).registerProcessingTimeTimer(time);
  }

  private deleteCleanupTimer(keyState: KeyState<Key, W>, window: W): void {
    const time = this.cleanupTime(window);
    if (time === MAX_WATERMARK) return;
    const context = this.triggerContext(keyState, window);
    if (this.assigner.isEventTime) context.deleteEventTimeTimer(time);
    else context.deleteProcessingTimeTimer(time);
  }

  private triggerContext(keyState: KeyState<Key, W>, window: W, mergedWindows: W[] = []): OnMergeContext {
    return this.context.at(keyState, window, mergedWindows);
  }

  private scheduleProcessingTime(time: number): void {
    const clock = this.options.clock;
    const cancel = clock.schedule(Math.max(0, time - clock.now()), () => {
      this.scheduled.delete(cancel);
      this.advanceProcessingTime();
    });
    this.scheduled.add(cancel);
  }

  private aggregateFunction() {
    const windowFunction = this.options.function;
    if (windowFunction.kind !== 'aggregate') throw new PipelineError(`window operator "${this.name}" keeps elements, not an accumulator`);
    return windowFunction.aggregate;
  }

  private keyState(key: Key): KeyState<Key, W> {
    const keyId = canonicalKey(key);
    let keyState = this.keys.get(keyId);
    if (keyState === undefined) {
      keyState = { key, keyId, contents: new Map(), triggerState: new Map(), mergingWindows: undefined, mergeFunction: undefined };
      this.keys.set(keyId, keyState);
    }
    return keyState;
  }

  private dropKeyIfEmpty(keyState: KeyState<Key, W>): void {
    if (keyState.contents.size === 0 && keyState.triggerState.size === 0 && (keyState.mergingWindows?.isEmpty ?? true)) {
      this.keys.delete(keyState.keyId);
    }
  }

  private selectKey(record: In): Key {
    try {
      return this.options.keySelector!(record);
    } catch (error) {
      throw windowFunctionFailure(this.name, record, error);
    }
  }

  private assignWindows(record: In, timestamp: number, context: WindowAssignerContext): W[] {
    try {
      return this.assigner.assignWindows(record, timestamp, context);
    } catch (error) {
      throw windowFunctionFailure(this.name, record, error);
    }
  }

  private triggerOnElement(record: In, timestamp: number, window: W, keyState: KeyState<Key, W>): TriggerResult {
    try {
      return this.trigger.onElement(record, timestamp, window, this.triggerContext(keyState, window));
    } catch (error) {
      throw windowFunctionFailure(this.name, record, error);
    }
  }

  /** The merge callback of a key's merging window set, made once per key. */
  private mergeFunctionOf(keyState: KeyState<Key, W>): MergeFunction<W> {
    return (keyState.mergeFunction ??= (mergeResult, mergedWindows, stateWindowResult, mergedStateWindows) =>
      this.mergeWindows(keyState, mergeResult, mergedWindows, stateWindowResult, mergedStateWindows));
  }

  /**
   * Runs a user function (key selector, assigner, trigger, evictor, window function). Validation errors come
   * back naming this operator; any other failure becomes an `OperatorError` naming it and the record or window.
   */
  private call<R>(subject: unknown, fn: () => R): R {
    try {
      return fn();
    } catch (error) {
      throw windowFunctionFailure(this.name, subject, error);
    }
  }

}
