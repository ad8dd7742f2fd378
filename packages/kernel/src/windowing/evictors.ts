import { requirePositiveCount, requirePositiveMillis } from './validation.js';
import type { TimestampedValue, Window } from './window.js';

export interface EvictorContext {
  readonly currentWatermark: number;
  readonly currentProcessingTime: number;
}

/**
 * Removes elements from a window's contents before and/or after the window function runs (Flink's `Evictor`).
 * Each method gets the contents in arrival order and returns the elements to keep.
 */
export interface Evictor<T = unknown, W extends Window = Window> {
  evictBefore(elements: TimestampedValue<T>[], window: W, ctx: EvictorContext): TimestampedValue<T>[];
  evictAfter(elements: TimestampedValue<T>[], window: W, ctx: EvictorContext): TimestampedValue<T>[];
}

/** Keeps the last `maxCount` elements. */
export class CountEvictor implements Evictor {
  private constructor(
    readonly maxCount: number,
    readonly doEvictAfter: boolean,
  ) {}

  /** With `doEvictAfter`, the function sees every element and eviction happens after it ran. */
  static of(maxCount: number, doEvictAfter = false): CountEvictor {
    return new CountEvictor(requirePositiveCount('CountEvictor.of', 'maxCount', maxCount), doEvictAfter);
  }

  evictBefore<T>(elements: TimestampedValue<T>[], _window: Window, _ctx: EvictorContext): TimestampedValue<T>[] {
    return this.doEvictAfter ? elements : this.evict(elements);
  }

  evictAfter<T>(elements: TimestampedValue<T>[], _window: Window, _ctx: EvictorContext): TimestampedValue<T>[] {
    return this.doEvictAfter ? this.evict(elements) : elements;
  }

  private evict<T>(elements: TimestampedValue<T>[]): TimestampedValue<T>[] {
    return elements.length <= this.maxCount ? elements : elements.slice(elements.length - this.maxCount);
  }
}

/**
 * Keeps the elements newer than `windowSize` before the newest one: removes every element whose timestamp is
 * `<= maxElementTimestamp - windowSize`.
 */
export class TimeEvictor implements Evictor {
  private constructor(
    readonly windowSize: number,
    readonly doEvictAfter: boolean,
  ) {}

  static of(windowSize: number, doEvictAfter = false): TimeEvictor {
    return new TimeEvictor(requirePositiveMillis('TimeEvictor.of', 'windowSize', windowSize), doEvictAfter);
  }

  evictBefore<T>(elements: TimestampedValue<T>[], _window: Window, _ctx: EvictorContext): TimestampedValue<T>[] {
    return this.doEvictAfter ? elements : this.evict(elements);
  }

  evictAfter<T>(elements: TimestampedValue<T>[], _window: Window, _ctx: EvictorContext): TimestampedValue<T>[] {
    return this.doEvictAfter ? this.evict(elements) : elements;
  }

  private evict<T>(elements: TimestampedValue<T>[]): TimestampedValue<T>[] {
    if (elements.length === 0) return elements;
    const newest = elements.reduce((max, element) => Math.max(max, element.timestamp), Number.NEGATIVE_INFINITY);
    const cutoff = newest - this.windowSize;
    return elements.filter((element) => element.timestamp > cutoff);
  }
}
