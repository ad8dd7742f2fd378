import type { Clock } from '../runtime/clock.js';
import type { TimerQueue, WindowTimer } from './timer-queue.js';
import type { OnMergeContext } from './triggers.js';
import type { Window } from './window.js';

/** What the trigger context reads and writes of its key's state. */
export interface TriggerKeyState<Key> {
  readonly key: Key;
  readonly keyId: string;
  /** Trigger state by window id, then by name. */
  readonly triggerState: Map<string, Map<string, unknown>>;
}

/** The parts of the window operator a trigger reaches through its context. */
export interface TriggerContextHost<Key> {
  readonly currentWatermark: number;
  readonly clock: Clock;
  readonly eventTimers: TimerQueue<Key>;
  readonly processingTimers: TimerQueue<Key>;
  /** Arranges for the clock to run the operator's processing-time timers at `time`. */
  scheduleProcessingTime(time: number): void;
}

const NO_WINDOWS: readonly Window[] = [];

/**
 * The one trigger context of a window operator, pointed at a key and window (`at`) before each trigger call,
 * as Flink's `WindowOperator.Context` is. Triggers run once per element and window, and a new context object
 * each time was most of the operator's garbage. Triggers use it during the call only, never keep it.
 */
export class WindowTriggerContext<Key, W extends Window> implements OnMergeContext {
  private keyState!: TriggerKeyState<Key>;
  private window!: W;
  private mergedWindows: readonly W[] = NO_WINDOWS as readonly W[];

  constructor(private readonly host: TriggerContextHost<Key>) {}

  /** Points the context at `window` of `keyState`; `mergedWindows` are the windows `onMerge` folds in. */
  at(keyState: TriggerKeyState<Key>, window: W, mergedWindows: readonly W[] = NO_WINDOWS as readonly W[]): this {
    this.keyState = keyState;
    this.window = window;
    this.mergedWindows = mergedWindows;
    return this;
  }

  get currentWatermark(): number {
    return this.host.currentWatermark;
  }

  get currentProcessingTime(): number {
    return this.host.clock.now();
  }

  registerEventTimeTimer(time: number): void {
    // Triggers register once per element and window: most are already there.
    if (!this.host.eventTimers.has(this.keyState.keyId, this.window, time)) this.host.eventTimers.register(this.timer(time));
  }

  deleteEventTimeTimer(time: number): void {
    this.host.eventTimers.delete(this.timer(time));
  }

  registerProcessingTimeTimer(time: number): void {
    if (this.host.processingTimers.register(this.timer(time))) this.host.scheduleProcessingTime(time);
  }

  deleteProcessingTimeTimer(time: number): void {
    this.host.processingTimers.delete(this.timer(time));
  }

  getState<T>(name: string): T | undefined {
    return this.stateOf(this.window)?.get(name) as T | undefined;
  }

  setState<T>(name: string, value: T | undefined): void {
    let state = this.stateOf(this.window);
    if (value === undefined) {
      state?.delete(name);
      if (state?.size === 0) this.keyState.triggerState.delete(this.window.id);
      return;
    }
    if (state === undefined) this.keyState.triggerState.set(this.window.id, (state = new Map()));
    state.set(name, value);
  }

  mergeState<T>(name: string, merge: (a: T, b: T) => T): void {
    let merged = this.stateOf(this.window)?.get(name) as T | undefined;
    for (const source of this.mergedWindows) {
      const value = this.stateOf(source)?.get(name) as T | undefined;
      if (value !== undefined) merged = merged === undefined ? value : merge(merged, value);
    }
    if (merged === undefined) return;
    let state = this.stateOf(this.window);
    if (state === undefined) this.keyState.triggerState.set(this.window.id, (state = new Map()));
    state.set(name, merged);
  }

  private timer(timestamp: number): WindowTimer<Key> {
    return { timestamp, key: this.keyState.key, keyId: this.keyState.keyId, window: this.window };
  }

  private stateOf(window: Window): Map<string, unknown> | undefined {
    return this.keyState.triggerState.get(window.id);
  }
}
