import { requirePositiveCount, requirePositiveMillis } from './validation.js';
import type { Window } from './window.js';

/** What a trigger tells the window operator to do with a window's contents. */
export enum TriggerResult {
  /** Do nothing. */
  CONTINUE = 'CONTINUE',
  /** Evaluate the window function and emit its result; keep the contents. */
  FIRE = 'FIRE',
  /** Drop the contents without emitting. */
  PURGE = 'PURGE',
  /** Emit, then drop the contents. */
  FIRE_AND_PURGE = 'FIRE_AND_PURGE',
}

export function isFire(result: TriggerResult): boolean {
  return result === TriggerResult.FIRE || result === TriggerResult.FIRE_AND_PURGE;
}

export function isPurge(result: TriggerResult): boolean {
  return result === TriggerResult.PURGE || result === TriggerResult.FIRE_AND_PURGE;
}

/**
 * What a trigger may do, scoped to the current key and window: read time, register and delete timers, and
 * keep small state (`getState` / `setState`) that lives until `clear`.
 */
export interface TriggerContext {
  readonly currentWatermark: number;
  readonly currentProcessingTime: number;
  registerEventTimeTimer(time: number): void;
  deleteEventTimeTimer(time: number): void;
  registerProcessingTimeTimer(time: number): void;
  deleteProcessingTimeTimer(time: number): void;
  getState<T>(name: string): T | undefined;
  /** Setting `undefined` clears the state. */
  setState<T>(name: string, value: T | undefined): void;
}

/** During `onMerge`: the state of the windows being merged can be folded into the merge result's. */
export interface OnMergeContext extends TriggerContext {
  mergeState<T>(name: string, merge: (a: T, b: T) => T): void;
}

/** Decides when a window fires and when it is purged (Flink's `Trigger`). */
export abstract class Trigger<T = unknown, W extends Window = Window> {
  abstract onElement(element: T, timestamp: number, window: W, ctx: TriggerContext): TriggerResult;
  abstract onEventTime(time: number, window: W, ctx: TriggerContext): TriggerResult;
  abstract onProcessingTime(time: number, window: W, ctx: TriggerContext): TriggerResult;
  /** Removes the timers and state this trigger holds for `window`. */
  abstract clear(window: W, ctx: TriggerContext): void;

  /** True when the trigger can run on merging (session) windows. */
  canMerge(): boolean {
    return false;
  }

  onMerge(_window: W, _ctx: OnMergeContext): void {
    throw new Error(`${this.constructor.name} does not support merging windows`);
  }
}

/** Fires once the watermark passes the window's `maxTimestamp`, and again for each accepted late element. */
export class EventTimeTrigger extends Trigger<unknown, Window> {
  static create(): EventTimeTrigger {
    return new EventTimeTrigger();
  }

  onElement(_element: unknown, _timestamp: number, window: Window, ctx: TriggerContext): TriggerResult {
    // The watermark is already past the window: the element is late but within allowed lateness.
    if (window.maxTimestamp <= ctx.currentWatermark) return TriggerResult.FIRE;
    ctx.registerEventTimeTimer(window.maxTimestamp);
    return TriggerResult.CONTINUE;
  }

  onEventTime(time: number, window: Window): TriggerResult {
    return time === window.maxTimestamp ? TriggerResult.FIRE : TriggerResult.CONTINUE;
  }

  onProcessingTime(): TriggerResult {
    return TriggerResult.CONTINUE;
  }

  clear(window: Window, ctx: TriggerContext): void {
    ctx.deleteEventTimeTimer(window.maxTimestamp);
  }

  canMerge(): boolean {
    return true;
  }

  onMerge(window: Window, ctx: OnMergeContext): void {
    // A merged window whose end is already behind the watermark is fired by onElement instead.
    if (window.maxTimestamp > ctx.currentWatermark) ctx.registerEventTimeTimer(window.maxTimestamp);
  }
}

/** Fires when the processing-time clock reaches the window's `maxTimestamp`. */
export class ProcessingTimeTrigger extends Trigger<unknown, Window> {
  static create(): ProcessingTimeTrigger {
    return new ProcessingTimeTrigger();
  }

  onElement(_element: unknown, _timestamp: number, window: Window, ctx: TriggerContext): TriggerResult {
    ctx.registerProcessingTimeTimer(window.maxTimestamp);
    return TriggerResult.CONTINUE;
  }

  onEventTime(): TriggerResult {
    return TriggerResult.CONTINUE;
  }

  onProcessingTime(): TriggerResult {
    return TriggerResult.FIRE;
  }

  clear(window: Window, ctx: TriggerContext): void {
    ctx.deleteProcessingTimeTimer(window.maxTimestamp);
  }

  canMerge(): boolean {
    return true;
  }

  onMerge(window: Window, ctx: OnMergeContext): void {
    if (window.maxTimestamp > ctx.currentProcessingTime) ctx.registerProcessingTimeTimer(window.maxTimestamp);
  }
}

/** Never fires: the default of `GlobalWindows`, which need a custom trigger. */
export class NeverTrigger extends Trigger<unknown, Window> {
  onElement(): TriggerResult {
    return TriggerResult.CONTINUE;
  }
  onEventTime(): TriggerResult {
    return TriggerResult.CONTINUE;
  }
  onProcessingTime(): TriggerResult {
    return TriggerResult.CONTINUE;
  }
  clear(): void {}
  canMerge(): boolean {
    return true;
  }
  onMerge(): void {}
}

const COUNT = 'count';

/** Fires every `maxCount` elements of a window; the count restarts after each firing. */
export class CountTrigger extends Trigger<unknown, Window> {
  private constructor(readonly maxCount: number) {
    super();
  }

  static of(maxCount: number): CountTrigger {
    return new CountTrigger(requirePositiveCount('CountTrigger.of', 'maxCount', maxCount));
  }

  onElement(_element: unknown, _timestamp: number, _window: Window, ctx: TriggerContext): TriggerResult {
    const count = (ctx.getState<number>(COUNT) ?? 0) + 1;
    if (count >= this.maxCount) {
      ctx.setState(COUNT, undefined);
      return TriggerResult.FIRE;
    }
    ctx.setState(COUNT, count);
    return TriggerResult.CONTINUE;
  }

  onEventTime(): TriggerResult {
    return TriggerResult.CONTINUE;
  }

  onProcessingTime(): TriggerResult {
    return TriggerResult.CONTINUE;
  }

  clear(_window: Window, ctx: TriggerContext): void {
    ctx.setState(COUNT, undefined);
  }

  canMerge(): boolean {
    return true;
  }

  onMerge(_window: Window, ctx: OnMergeContext): void {
    ctx.mergeState<number>(COUNT, (a, b) => a + b);
  }
}

/** Turns every FIRE of the nested trigger into FIRE_AND_PURGE. */
export class PurgingTrigger<T, W extends Window> extends Trigger<T, W> {
  private constructor(readonly nested: Trigger<T, W>) {
    super();
  }

  static of<T, W extends Window>(nested: Trigger<T, W>): PurgingTrigger<T, W> {
    return new PurgingTrigger(nested);
  }

  onElement(element: T, timestamp: number, window: W, ctx: TriggerContext): TriggerResult {
    return purging(this.nested.onElement(element, timestamp, window, ctx));
  }

  onEventTime(time: number, window: W, ctx: TriggerContext): TriggerResult {
    return purging(this.nested.onEventTime(time, window, ctx));
  }

  onProcessingTime(time: number, window: W, ctx: TriggerContext): TriggerResult {
    return purging(this.nested.onProcessingTime(time, window, ctx));
  }

  clear(window: W, ctx: TriggerContext): void {
    this.nested.clear(window, ctx);
  }

  canMerge(): boolean {
    return this.nested.canMerge();
  }

  onMerge(window: W, ctx: OnMergeContext): void {
    this.nested.onMerge(window, ctx);
  }
}

function purging(result: TriggerResult): TriggerResult {
  return isFire(result) ? TriggerResult.FIRE_AND_PURGE : result;
}

const NEXT_FIRE = 'next-fire';

/**
 * Fires every `interval` of event time while the window is open (early results), and once more at the
 * window's end. Fire times are aligned to the epoch: `floor(timestamp / interval) * interval + interval`.
 */
export class ContinuousEventTimeTrigger extends Trigger<unknown, Window> {
  private constructor(readonly interval: number) {
    super();
  }

  static of(interval: number): ContinuousEventTimeTrigger {
    return new ContinuousEventTimeTrigger(requirePositiveMillis('ContinuousEventTimeTrigger.of', 'interval', interval));
  }

  onElement(_element: unknown, timestamp: number, window: Window, ctx: TriggerContext): TriggerResult {
    if (window.maxTimestamp <= ctx.currentWatermark) return TriggerResult.FIRE;
    ctx.registerEventTimeTimer(window.maxTimestamp);
    if (ctx.getState<number>(NEXT_FIRE) === undefined) {
      const start = timestamp - (((timestamp % this.interval) + this.interval) % this.interval);
      this.registerNextFire(start + this.interval, window, ctx);
    }
    return TriggerResult.CONTINUE;
  }

  onEventTime(time: number, window: Window, ctx: TriggerContext): TriggerResult {
    if (time === window.maxTimestamp) return TriggerResult.FIRE;
    if (ctx.getState<number>(NEXT_FIRE) === time) {
      this.registerNextFire(time + this.interval, window, ctx);
      return TriggerResult.FIRE;
    }
    return TriggerResult.CONTINUE;
  }

  onProcessingTime(): TriggerResult {
    return TriggerResult.CONTINUE;
  }

  clear(window: Window, ctx: TriggerContext): void {
    const next = ctx.getState<number>(NEXT_FIRE);
    if (next !== undefined) ctx.deleteEventTimeTimer(next);
    ctx.setState(NEXT_FIRE, undefined);
    ctx.deleteEventTimeTimer(window.maxTimestamp);
  }

  canMerge(): boolean {
    return true;
  }

  onMerge(window: Window, ctx: OnMergeContext): void {
    ctx.mergeState<number>(NEXT_FIRE, (a, b) => Math.min(a, b));
    const next = ctx.getState<number>(NEXT_FIRE);
    if (next !== undefined) ctx.registerEventTimeTimer(next);
    if (window.maxTimestamp > ctx.currentWatermark) ctx.registerEventTimeTimer(window.maxTimestamp);
  }

  /** Fire times are capped at the window's end, whose own timer is then the same one. */
  private registerNextFire(time: number, window: Window, ctx: TriggerContext): void {
    const next = Math.min(time, window.maxTimestamp);
    ctx.setState(NEXT_FIRE, next);
    ctx.registerEventTimeTimer(next);
  }
}
