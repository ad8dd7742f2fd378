/**
 * The lowest and highest watermark, Flink's `Long.MIN_VALUE` / `Long.MAX_VALUE`. Timestamps are integer
 * milliseconds within this range so that `end - 1` and `maxTimestamp + allowedLateness` stay exact.
 */
export const MIN_WATERMARK = Number.MIN_SAFE_INTEGER;
export const MAX_WATERMARK = Number.MAX_SAFE_INTEGER;

/** A window: the operator keys contents, trigger state and timers by `id`. */
export interface Window {
  /** The largest timestamp that still belongs to the window; results carry it as their timestamp. */
  readonly maxTimestamp: number;
  /** Equal windows have equal ids. */
  readonly id: string;
}

/** The half-open interval `[start, end)` of event or processing time. */
export class TimeWindow implements Window {
  /**
   * Built when first asked for: session windows that merge away at once never need one. A `#` field, so
   * equality checks and spreads see only `start` and `end`.
   */
  #id: string | undefined = undefined;

  constructor(
    readonly start: number,
    readonly end: number,
  ) {}

  get id(): string {
    if (this.#id === undefined) this.#id = `${this.start},${this.end}`;
    return this.#id;
  }

  get maxTimestamp(): number {
    return this.end - 1;
  }

  /** True when the windows overlap or touch (`[0,5)` and `[5,9)` intersect), so sessions merge. */
  intersects(other: TimeWindow): boolean {
    return this.start <= other.end && this.end >= other.start;
  }

  /** The smallest window that covers both. */
  cover(other: TimeWindow): TimeWindow {
    return new TimeWindow(Math.min(this.start, other.start), Math.max(this.end, other.end));
  }

  equals(other: Window): boolean {
    return other instanceof TimeWindow && other.start === this.start && other.end === this.end;
  }

  toString(): string {
    return `TimeWindow{start=${this.start}, end=${this.end}}`;
  }

  toJSON(): { id: string; start: number; end: number } {
    return { id: this.id, start: this.start, end: this.end };
  }

  /**
   * The start of the window of size `windowSize` that holds `timestamp`, aligned to the epoch plus `offset`.
   * The remainder is corrected for negative timestamps, where `%` is negative in JavaScript as in Java.
   */
  static getWindowStartWithOffset(timestamp: number, offset: number, windowSize: number): number {
    const remainder = (timestamp - offset) % windowSize;
    return remainder < 0 ? timestamp - (remainder + windowSize) : timestamp - remainder;
  }
}

/** The one window of `GlobalWindows`: it never ends, so only a custom trigger fires it. */
export class GlobalWindow implements Window {
  static readonly INSTANCE = new GlobalWindow();
  readonly id = 'global';
  readonly maxTimestamp = MAX_WATERMARK;

  private constructor() {}

  toString(): string {
    return 'GlobalWindow';
  }
}

/** A record with the timestamp it was assigned (Flink's `TimestampedValue`), as evictors see them. */
export interface TimestampedValue<T> {
  value: T;
  timestamp: number;
}
