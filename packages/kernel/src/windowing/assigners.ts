import { ValidationError } from '@sage/common';
import type { Evictor } from './evictors.js';
import { CountTrigger, EventTimeTrigger, NeverTrigger, ProcessingTimeTrigger, PurgingTrigger, type Trigger } from './triggers.js';
import { CountEvictor } from './evictors.js';
import { describeValue, requirePositiveCount, requirePositiveMillis } from './validation.js';
import { GlobalWindow, TimeWindow, type Window } from './window.js';

export interface WindowAssignerContext {
  readonly currentProcessingTime: number;
}

/** Puts each element into zero or more windows (Flink's `WindowAssigner`). */
export abstract class WindowAssigner<W extends Window = Window> {
  /** Names the assigner in errors and in the window operator's description. */
  abstract readonly name: string;
  /** Event-time assigners use record timestamps and watermarks; the others the processing-time clock. */
  abstract readonly isEventTime: boolean;
  abstract assignWindows(element: unknown, timestamp: number, ctx: WindowAssignerContext): W[];
  abstract getDefaultTrigger(): Trigger<unknown, W>;
}

/** An assigner whose windows grow by merging, like sessions (Flink's `MergingWindowAssigner`). */
export abstract class MergingWindowAssigner<W extends Window = Window> extends WindowAssigner<W> {
  /** Calls `merge(toBeMerged, mergeResult)` once for each group of two or more windows that become one. */
  abstract mergeWindows(windows: readonly W[], merge: (toBeMerged: W[], mergeResult: W) => void): void;
}

export function isMergingWindowAssigner(assigner: WindowAssigner): assigner is MergingWindowAssigner {
  return assigner instanceof MergingWindowAssigner;
}

function requireOffset(owner: string, offset: unknown, limitName: string, limit: number): number {
  if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || Math.abs(offset) >= limit) {
    throw new ValidationError(`${owner}: offset must be an integer with |offset| < ${limitName} (${limit}), got ${describeValue(offset)}`, {
      details: { operator: owner, offset: describeValue(offset) },
    });
  }
  return offset;
}

/**
 * The windows of the last few window starts. Elements close in time share window objects, so a window's id
 * (the string its state and timers are found by) is built once rather than once per element. Windows are
 * immutable; the arrays are shared, so callers copy them before handing them out.
 */
class RecentWindows {
  private static readonly STARTS = 64;
  private readonly byStart = new Map<number, TimeWindow[]>();

  get(lastStart: number, make: (lastStart: number) => TimeWindow[]): TimeWindow[] {
    let windows = this.byStart.get(lastStart);
    if (windows === undefined) {
      if (this.byStart.size >= RecentWindows.STARTS) this.byStart.clear();
      windows = make(lastStart);
      this.byStart.set(lastStart, windows);
    }
    return windows;
  }
}

function tumblingWindow(timestamp: number, size: number, offset: number, recent: RecentWindows): TimeWindow[] {
  return recent.get(TimeWindow.getWindowStartWithOffset(timestamp, offset, size), (start) => [new TimeWindow(start, start + size)]).slice();
}

/** Every window whose `[start, start + size)` holds `timestamp`, newest first, as Flink orders them. */
function slidingWindows(timestamp: number, size: number, slide: number, offset: number, recent: RecentWindows): TimeWindow[] {
  // Cached per last start: the windows with start > lastStart - size, a superset since timestamp >= lastStart.
  const candidates = recent.get(TimeWindow.getWindowStartWithOffset(timestamp, offset, slide), (lastStart) => {
    const windows: TimeWindow[] = [];
    for (let start = lastStart; start > lastStart - size; start -= slide) windows.push(new TimeWindow(start, start + size));
    return windows;
  });
  return candidates.filter((window) => window.start > timestamp - size);
}

function checkSlide(owner: string, size: number, slide: number): void {
  if (slide > size) {
    throw new ValidationError(`${owner}: slide must not be larger than size (${size}), got ${slide}`, {
      details: { operator: owner, size, slide },
    });
  }
}

/** Non-overlapping windows of a fixed size, aligned to the epoch plus `offset`, in either time domain. */
abstract class TumblingTimeWindows extends WindowAssigner<TimeWindow> {
  private readonly recent = new RecentWindows();

  protected constructor(
    readonly size: number,
    readonly offset: number,
  ) {
    super();
  }

  /** The arguments of `of`, checked: size and offset. */
  protected static checked(owner: string, size: number, offset: number): [number, number] {
    const checkedSize = requirePositiveMillis(owner, 'size', size);
    return [checkedSize, requireOffset(owner, offset, 'size', checkedSize)];
  }

  assignWindows(_element: unknown, timestamp: number, ctx: WindowAssignerContext): TimeWindow[] {
    return tumblingWindow(this.isEventTime ? timestamp : ctx.currentProcessingTime, this.size, this.offset, this.recent);
  }

  getDefaultTrigger(): Trigger<unknown, TimeWindow> {
    return this.isEventTime ? EventTimeTrigger.create() : ProcessingTimeTrigger.create();
  }
}

/** Non-overlapping event-time windows of a fixed size, aligned to the epoch plus `offset`. */
export class TumblingEventTimeWindows extends TumblingTimeWindows {
  readonly name = 'TumblingEventTimeWindows';
  readonly isEventTime = true;

  static of(size: number, offset = 0): TumblingEventTimeWindows {
    return new TumblingEventTimeWindows(...TumblingTimeWindows.checked('TumblingEventTimeWindows.of', size, offset));
  }
}

/** Windows of `size` starting every `slide`, in either time domain: each element falls into about `size / slide` of them. */
abstract class SlidingTimeWindows extends WindowAssigner<TimeWindow> {
  private readonly recent = new RecentWindows();

  protected constructor(
    readonly size: number,
    readonly slide: number,
    readonly offset: number,
  ) {
    super();
  }

  /** The arguments of `of`, checked: size, slide and offset. */
  protected static checked(owner: string, size: number, slide: number, offset: number): [number, number, number] {
    const checkedSize = requirePositiveMillis(owner, 'size', size);
    const checkedSlide = requirePositiveMillis(owner, 'slide', slide);
    checkSlide(owner, checkedSize, checkedSlide);
    return [checkedSize, checkedSlide, requireOffset(owner, offset, 'slide', checkedSlide)];
  }

  assignWindows(_element: unknown, timestamp: number, ctx: WindowAssignerContext): TimeWindow[] {
    return slidingWindows(this.isEventTime ? timestamp : ctx.currentProcessingTime, this.size, this.slide, this.offset, this.recent);
  }

  getDefaultTrigger(): Trigger<unknown, TimeWindow> {
    return this.isEventTime ? EventTimeTrigger.create() : ProcessingTimeTrigger.create();
  }
}

/** Event-time windows of `size` starting every `slide`: each element falls into about `size / slide` of them. */
export class SlidingEventTimeWindows extends SlidingTimeWindows {
  readonly name = 'SlidingEventTimeWindows';
  readonly isEventTime = true;

  static of(size: number, slide: number, offset = 0): SlidingEventTimeWindows {
    return new SlidingEventTimeWindows(...SlidingTimeWindows.checked('SlidingEventTimeWindows.of', size, slide, offset));
  }
}

/**
 * A copy of `windows` in start order (stable). A session key has a window or two in flight, and for a few
 * `Array.prototype.sort` cost more garbage than the sorting: an insertion sort up to 16, the built-in above.
 */
function sortedByStart(windows: readonly TimeWindow[]): TimeWindow[] {
  const sorted = windows.slice();
  if (sorted.length > 16) return sorted.sort((a, b) => a.start - b.start);
  for (let i = 1; i < sorted.length; i++) {
    const window = sorted[i]!;
    let j = i - 1;
    for (; j >= 0 && sorted[j]!.start > window.start; j--) sorted[j + 1] = sorted[j]!;
    sorted[j + 1] = window;
  }
  return sorted;
}

/** Merges `[start, end)` windows that overlap or touch, visiting them by start (Flink's `TimeWindow.mergeWindows`). */
function mergeTimeWindows(windows: readonly TimeWindow[], merge: (toBeMerged: TimeWindow[], mergeResult: TimeWindow) => void): void {
  const sorted = sortedByStart(windows);
  const groups: Array<{ cover: TimeWindow; members: TimeWindow[] }> = [];
  for (const window of sorted) {
    const current = groups[groups.length - 1];
    if (current?.cover.intersects(window)) {
      current.cover = current.cover.cover(window);
      current.members.push(window);
    } else {
      groups.push({ cover: window, members: [window] });
    }
  }
  for (const group of groups) if (group.members.length > 1) merge(group.members, group.cover);
}

/** Sessions: each element opens `[timestamp, timestamp + gap)`, and windows that overlap or touch merge. */
export class EventTimeSessionWindows extends MergingWindowAssigner<TimeWindow> {
  readonly name = 'EventTimeSessionWindows';
  readonly isEventTime = true;

  private constructor(readonly gap: number) {
    super();
  }

  static withGap(gap: number): EventTimeSessionWindows {
    return new EventTimeSessionWindows(requirePositiveMillis('EventTimeSessionWindows.withGap', 'gap', gap));
  }

  assignWindows(_element: unknown, timestamp: number, _ctx: WindowAssignerContext): TimeWindow[] {
    return [new TimeWindow(timestamp, timestamp + this.gap)];
  }

  mergeWindows(windows: readonly TimeWindow[], merge: (toBeMerged: TimeWindow[], mergeResult: TimeWindow) => void): void {
    mergeTimeWindows(windows, merge);
  }

  getDefaultTrigger(): Trigger<unknown, TimeWindow> {
    return EventTimeTrigger.create();
  }
}

/** Tumbling windows of the operator's processing-time clock. */
export class TumblingProcessingTimeWindows extends TumblingTimeWindows {
  readonly name = 'TumblingProcessingTimeWindows';
  readonly isEventTime = false;

  static of(size: number, offset = 0): TumblingProcessingTimeWindows {
    return new TumblingProcessingTimeWindows(...TumblingTimeWindows.checked('TumblingProcessingTimeWindows.of', size, offset));
  }
}

/** Sliding windows of the operator's processing-time clock. */
export class SlidingProcessingTimeWindows extends SlidingTimeWindows {
  readonly name = 'SlidingProcessingTimeWindows';
  readonly isEventTime = false;

  static of(size: number, slide: number, offset = 0): SlidingProcessingTimeWindows {
    return new SlidingProcessingTimeWindows(...SlidingTimeWindows.checked('SlidingProcessingTimeWindows.of', size, slide, offset));
  }
}

/** Sessions of the operator's processing-time clock. */
export class ProcessingTimeSessionWindows extends MergingWindowAssigner<TimeWindow> {
  readonly name = 'ProcessingTimeSessionWindows';
  readonly isEventTime = false;

  private constructor(readonly gap: number) {
    super();
  }

  static withGap(gap: number): ProcessingTimeSessionWindows {
    return new ProcessingTimeSessionWindows(requirePositiveMillis('ProcessingTimeSessionWindows.withGap', 'gap', gap));
  }

  assignWindows(_element: unknown, _timestamp: number, ctx: WindowAssignerContext): TimeWindow[] {
    return [new TimeWindow(ctx.currentProcessingTime, ctx.currentProcessingTime + this.gap)];
  }

  mergeWindows(windows: readonly TimeWindow[], merge: (toBeMerged: TimeWindow[], mergeResult: TimeWindow) => void): void {
    mergeTimeWindows(windows, merge);
  }

  getDefaultTrigger(): Trigger<unknown, TimeWindow> {
    return ProcessingTimeTrigger.create();
  }
}

/** One window for all elements of a key; it fires only through a custom trigger. */
export class GlobalWindows extends WindowAssigner<GlobalWindow> {
  readonly name = 'GlobalWindows';
  readonly isEventTime = false;

  private constructor() {
    super();
  }

  static create(): GlobalWindows {
    return new GlobalWindows();
  }

  assignWindows(_element: unknown, _timestamp: number, _ctx: WindowAssignerContext): GlobalWindow[] {
    return [GlobalWindow.INSTANCE];
  }

  getDefaultTrigger(): Trigger<unknown, GlobalWindow> {
    return new NeverTrigger();
  }
}

/** An assigner with the trigger and evictor that replace its defaults. */
export interface WindowSpec<W extends Window = Window> {
  assigner: WindowAssigner<W>;
  trigger?: Trigger<any, W>;
  evictor?: Evictor<any, W>;
}

/**
 * Flink's `countWindow`: `countWindow(n)` fires and purges every `n` elements per key; `countWindow(n, s)` fires
 * every `s` elements over the last `n`.
 */
export function countWindow(size: number, slide?: number): WindowSpec<GlobalWindow> {
  const checkedSize = requirePositiveCount('countWindow', 'size', size);
  if (slide === undefined) {
    return { assigner: GlobalWindows.create(), trigger: PurgingTrigger.of(CountTrigger.of(checkedSize)) };
  }
  const checkedSlide = requirePositiveCount('countWindow', 'slide', slide);
  checkSlide('countWindow', checkedSize, checkedSlide);
  return { assigner: GlobalWindows.create(), trigger: CountTrigger.of(checkedSlide), evictor: CountEvictor.of(checkedSize) };
}
