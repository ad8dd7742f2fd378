/**
 * The event-time test pipeline, built the same way in a LocalEnvironment and a RemoteEnvironment:
 * events -> timestamps and watermarks (parallelism 2, bounded out-of-orderness 4 s) -> keyBy(user) -> tumbling
 * 10 s windows with 1 s allowed lateness (parallelism 2) -> sink; late events go to a side output -> sink.
 * Both sinks are idempotent Redis hashes: `<user>:<window start>` -> `<count>:<sum>`, and `<id>` -> `<ts>`.
 */
import type { Redis } from 'ioredis';
import type { BaseEnvironment } from '../../../api/environment.js';
import { BatchFunction, SinkFunction } from '../../../api/functions.js';
import { OutputTag } from '../../../api/output-tag.js';
import { TumblingEventTimeWindows } from '../../../windowing/assigners.js';
import { WatermarkStrategy } from '../../../windowing/watermarks.js';
import { type AggregateFunction, ProcessWindowFunction, type Collector, type ProcessWindowContext } from '../../../windowing/window-functions.js';
import type { TimeWindow } from '../../../windowing/window.js';
import { connectRedis } from '../../redis-connection.js';
import { fixtureSettings } from './build-pipeline.js';

export const EVENT_COUNT = 20_000;
export const USER_COUNT = 13;
export const WINDOW_MS = 10_000;
/** Events of the job whose window worker is killed mid-run, and their rate (about 8 s of input). */
export const KILL_EVENT_COUNT = 40_000;
export const KILL_EVENT_RATE = 5_000;

export interface ClickEvent {
  id: number;
  user: string;
  ts: number;
  value: number;
}

export interface WindowTotal {
  user: string;
  start: number;
  count: number;
  sum: number;
}

/** The last events of the input, with timestamps from its first seconds: late by about 16 minutes. */
export const LATE_EVENT_COUNT = 20;

/**
 * Events 50 ms apart, out of order by up to 3 s (within the 4 s bound, so none is late), then
 * `LATE_EVENT_COUNT` events from the first 5 s, which every watermark of both timestamp instances has passed
 * long before (they go to the side output whichever way the instances interleave).
 */
export function clickEvents(count = EVENT_COUNT): ClickEvent[] {
  return Array.from({ length: count }, (_, id) => {
    const late = id >= count - LATE_EVENT_COUNT;
    const ts = late ? (count - id) * 250 : id * 50 + ((id * 7919) % 3000);
    return { id, user: `u${(id * 7) % USER_COUNT}`, ts, value: id % 10 };
  });
}

class Totals extends ProcessWindowFunction<ClickEvent, WindowTotal, string, TimeWindow> {
  process(user: string, context: ProcessWindowContext<TimeWindow>, events: readonly ClickEvent[], out: Collector<WindowTotal>): void {
    out.collect({ user, start: context.window.start, count: events.length, sum: events.reduce((total, event) => total + event.value, 0) });
  }
}

interface CountAndSum {
  count: number;
  sum: number;
}

/** The totals kept incrementally: one plain accumulator per key and window instead of the events. */
const COUNT_AND_SUM: AggregateFunction<ClickEvent, CountAndSum, CountAndSum> = {
  createAccumulator: () => ({ count: 0, sum: 0 }),
  add: (event, totals) => ({ count: totals.count + 1, sum: totals.sum + event.value }),
  getResult: (totals) => totals,
  merge: (a, b) => ({ count: a.count + b.count, sum: a.sum + b.sum }),
};

class TotalsRow extends ProcessWindowFunction<CountAndSum, WindowTotal, string, TimeWindow> {
  process(user: string, context: ProcessWindowContext<TimeWindow>, [totals]: readonly CountAndSum[], out: Collector<WindowTotal>): void {
    out.collect({ user, start: context.window.start, count: totals!.count, sum: totals!.sum });
  }
}

/** Idempotent Redis hash writes (`field` -> `value`), or appends to a Redis list without `field`. */
export class RedisSink<T> extends SinkFunction<T, { key: string; field?: (record: T) => string; value: (record: T) => string }> {
  private client: Redis | undefined;

  override async open(): Promise<void> {
    this.client = await connectRedis(fixtureSettings().redis, { kind: 'runtime' });
  }

  override async execute(record: T): Promise<void> {
    const { key, field, value } = this.config;
    if (field === undefined) await this.client!.rpush(key, value(record));
    else await this.client!.hset(key, field(record), value(record));
  }

  override async close(): Promise<void> {
    await this.client?.quit();
  }
}

/** Emits the click events at about `rate` per second, so that windows are open while a test watches. */
class PacedClicks extends BatchFunction<ClickEvent, { events: number; rate: number }> {
  private readonly events = clickEvents(this.config.events);
  private next = 0;
  private started = 0;

  override async execute(): Promise<ClickEvent | undefined> {
    if (this.next === 0) this.started = Date.now();
    if (this.next % 100 === 0) {
      const due = this.started + (this.next / this.config.rate) * 1000;
      if (due > Date.now()) await new Promise((resolve) => setTimeout(resolve, due - Date.now()));
    }
    return this.events[this.next++];
  }
}

/**
 * The clicks (all at once, or paced at `rate` per second) with timestamps from two instances, keyed by user in
 * tumbling 10 s windows with 1 s allowed lateness; late clicks go to `late`.
 */
export function windowedClicks(env: BaseEnvironment, options: { events?: number; rate?: number } = {}) {
  const late = new OutputTag<ClickEvent>('late-clicks');
  const source =
    options.rate === undefined
      ? env.fromBatch(clickEvents(options.events), { name: 'clicks' })
      : env.fromBatch(PacedClicks, { events: options.events ?? EVENT_COUNT, rate: options.rate }, { name: 'clicks' });
  const windows = source
    .assignTimestampsAndWatermarks(WatermarkStrategy.forBoundedOutOfOrderness<ClickEvent>(4_000).withTimestampAssigner((event) => event.ts), {
      name: 'stamp',
      parallelism: 2,
    })
    .keyBy((event: ClickEvent) => event.user)
    .window(TumblingEventTimeWindows.of(WINDOW_MS))
    .allowedLateness(1_000)
    .sideOutputLateData(late);
  return { windows, late };
}

/**
 * The per-user totals of each window to a Redis hash, late clicks to another. `incremental` aggregates them as
 * the clicks come (the specialized window operator) instead of keeping the clicks for a process function (the
 * general core); both give the same rows.
 */
export function buildWindowedPipeline(env: BaseEnvironment, options: { sinkKey: string; events?: number; rate?: number; parallelism?: number; incremental?: boolean }): void {
  const { windows, late } = windowedClicks(env, options);
  const operator = { name: 'totals', parallelism: options.parallelism ?? 2 };
  const totals = options.incremental ? windows.aggregate(COUNT_AND_SUM, new TotalsRow(), operator) : windows.process(new Totals(), operator);
  totals.sink(
    RedisSink<WindowTotal>,
    { key: `${options.sinkKey}:totals`, field: (total) => `${total.user}:${total.start}`, value: (total) => `${total.count}:${total.sum}` },
    { name: 'store-totals' },
  );
  totals
    .getSideOutput(late)
    .sink(RedisSink<ClickEvent>, { key: `${options.sinkKey}:late`, field: (event) => String(event.id), value: (event) => String(event.ts) }, { name: 'store-late' });
}

/** What the pipeline must produce: per user and window, count and sum of the on-time events; the late ones. */
export function windowedReference(count = EVENT_COUNT): { totals: Record<string, string>; late: Record<string, string> } {
  const sums = new Map<string, { count: number; sum: number }>();
  const late: Record<string, string> = {};
  for (const event of clickEvents(count)) {
    if (event.id >= count - LATE_EVENT_COUNT) {
      late[String(event.id)] = String(event.ts);
      continue;
    }
    const field = `${event.user}:${Math.floor(event.ts / WINDOW_MS) * WINDOW_MS}`;
    const total = sums.get(field) ?? { count: 0, sum: 0 };
    sums.set(field, { count: total.count + 1, sum: total.sum + event.value });
  }
  return { totals: Object.fromEntries([...sums].map(([field, total]) => [field, `${total.count}:${total.sum}`])), late };
}

/** The hashes the sinks of job `name` write to. */
export function windowedSinkKey(name: string): string {
  return `${fixtureSettings().prefix}:sink:${name}`;
}
