import { OperatorError, seededRandom, ValidationError } from '@sage/common';
import { describe, expect, it } from 'vitest';
import { collect } from '../testing/collect.js';
import { VirtualClock } from '../testing/virtual-clock.js';
import {
  EventTimeSessionWindows,
  GlobalWindows,
  SlidingEventTimeWindows,
  TumblingEventTimeWindows,
  TumblingProcessingTimeWindows,
} from '../windowing/assigners.js';
import { Count, Sum } from '../windowing/built-in-aggregates.js';
import { CountTrigger } from '../windowing/triggers.js';
import { WatermarkStrategy } from '../windowing/watermarks.js';
import { MAX_WATERMARK, type TimeWindow } from '../windowing/window.js';
import { type Collector, type ProcessWindowContext, ProcessWindowFunction } from '../windowing/window-functions.js';
import type { DataStream } from './data-stream.js';
import { END_OF_STREAM } from './functions.js';
import { LocalEnvironment } from './local-environment.js';
import { OutputTag } from './output-tag.js';

const quiet = { logLevel: 'silent' as const, handleSignals: false };

interface Click {
  user: string;
  ts: number;
}

const click = (user: string, ts: number): Click => ({ user, ts });
const byTs = WatermarkStrategy.forBoundedOutOfOrderness<Click>(4_000).withTimestampAssigner((event) => event.ts);

/** Emits `key@windowStart:count` per window, and the watermark the window fired at. */
class CountPerWindow extends ProcessWindowFunction<Click, string, string, TimeWindow> {
  process(key: string, context: ProcessWindowContext<TimeWindow>, elements: readonly Click[], out: Collector<string>): void {
    out.collect(`${key}@${context.window.start}:${elements.length}`);
  }
}

/** The event-time timestamps the records of `stream` carry, read by a downstream timestamp assigner. */
function timestampsOf<T>(stream: DataStream<T>): Array<number | undefined> {
  const seen: Array<number | undefined> = [];
  const strategy = WatermarkStrategy.forMonotonousTimestamps<T>().withTimestampAssigner((_record, timestamp) => {
    seen.push(timestamp);
    return timestamp ?? 0;
  });
  collect(stream.assignTimestampsAndWatermarks(strategy));
  return seen;
}

describe('keyBy(...).window(...) on the local runtime', () => {
  it('tumbling event-time windows: a count per user and window, each result stamped with maxTimestamp', async () => {
    const env = new LocalEnvironment('tumbling', quiet);
    const clicks = [click('ada', 1_000), click('bob', 2_000), click('ada', 9_999), click('ada', 10_000), click('bob', 25_000)];
    const counts = env
      .fromBatch(clicks)
      .assignTimestampsAndWatermarks(byTs)
      .keyBy((event) => event.user)
      .window(TumblingEventTimeWindows.of(10_000))
      .aggregate(Count, { name: 'clicks_per_user' });
    const out = collect(counts);
    const stamps = timestampsOf(counts);
    const result = await env.submit({ autostop: true });
    expect(out.sort()).toEqual([1, 1, 1, 2]);
    expect(stamps.sort((a, b) => a! - b!)).toEqual([9_999, 9_999, 19_999, 29_999]);
    expect(result.operators.clicks_per_user).toMatchObject({ recordsIn: 5, recordsOut: 4, lateRecordsDropped: 0 });
  });

  it('sliding windows assign each element to size / slide windows; reduce keeps one element', async () => {
    const env = new LocalEnvironment('sliding', quiet);
    const out = collect(
      env
        .fromBatch([click('ada', 1_000), click('ada', 6_000), click('ada', 12_000)])
        .assignTimestampsAndWatermarks(byTs)
        .keyBy((event) => event.user)
        .window(SlidingEventTimeWindows.of(10_000, 5_000))
        .process(CountPerWindow),
    );
    const sums = collect(
      env
        .fromBatch([click('ada', 1_000), click('ada', 6_000), click('ada', 12_000)], { name: 'second' })
        .assignTimestampsAndWatermarks(byTs)
        .keyBy((event) => event.user)
        .window(SlidingEventTimeWindows.of(10_000, 5_000))
        .reduce((a, b) => ({ user: a.user, ts: a.ts + b.ts })),
    );
    await env.submit({ autostop: true });
    expect(out).toEqual(['ada@-5000:1', 'ada@0:2', 'ada@5000:2', 'ada@10000:1']);
    expect(sums.map((event) => event.ts)).toEqual([1_000, 7_000, 18_000, 12_000]);
  });

  it('session windows merge per key and the last one fires at end of input', async () => {
    const env = new LocalEnvironment('sessions', quiet);
    const clicks = [click('ada', 0), click('ada', 2_000), click('bob', 2_500), click('ada', 20_000), click('ada', 21_000)];
    const out = collect(
      env
        .fromBatch(clicks)
        .assignTimestampsAndWatermarks(byTs)
        .keyBy((event) => event.user)
        .window(EventTimeSessionWindows.withGap(5_000))
        .process(CountPerWindow),
    );
    await env.submit({ autostop: true });
    expect(out.sort()).toEqual(['ada@0:2', 'ada@20000:2', 'bob@2500:1']);
  });

  it('the watermark is maxSeen - bound - 1, as a process function sees it when its window fires', async () => {
    const env = new LocalEnvironment('watermark', { ...quiet, batchSize: 1 });
    const seen: number[] = [];
    class Watermarks extends ProcessWindowFunction<Click, number, string, TimeWindow> {
      process(_key: string, context: ProcessWindowContext<TimeWindow>): void {
        seen.push(context.currentWatermark);
      }
    }
    collect(
      env
        .fromBatch([click('ada', 1_000), click('ada', 12_000), click('ada', 14_001)])
        .assignTimestampsAndWatermarks(byTs)
        .keyBy((event) => event.user)
        .window(TumblingEventTimeWindows.of(10_000))
        .process(Watermarks),
    );
    await env.submit({ autostop: true });
    // [0, 10000) waits for 12000 - 4000 - 1 = 7999 and fires at 14001 - 4000 - 1 = 10000; the rest at the end.
    expect(seen).toEqual([10_000, MAX_WATERMARK]);
  });

  it('combines the watermark as the minimum over upstream instances: a slow instance holds event time back', async () => {
    const env = new LocalEnvironment('minimum', quiet);
    // Instance 0 of the source reads the even positions (far ahead in time), instance 1 the odd ones.
    const clicks: Click[] = [];
    for (let i = 0; i < 200; i++) clicks.push(click('fast', 1_000_000 + i), click('slow', i * 100));
    const out = collect(
      env
        .fromBatch(clicks, { parallelism: 2 })
        .assignTimestampsAndWatermarks(byTs, { parallelism: 2 })
        .windowAll(TumblingEventTimeWindows.of(1_000_000))
        .aggregate(Count, { name: 'all' }),
    );
    const result = await env.submit({ autostop: true });
    expect(out.sort((a, b) => a - b)).toEqual([200, 200]);
    expect(result.operators.all!.lateRecordsDropped).toBe(0);
    expect(result.operators.all!.parallelism).toBe(1);
  });

  it('timestamps survive map, filter and flatMap, also async ones, between the assigner and the window', async () => {
    const env = new LocalEnvironment('through-functions', quiet);
    const out = collect(
      env
        .fromBatch([click('ada', 1_000), click('bob', 2_000), click('ada', 15_000)])
        .assignTimestampsAndWatermarks(byTs)
        .map(async (event) => ({ ...event, user: event.user.toUpperCase() }))
        .filter((event) => event.user !== 'BOB')
        .flatMap((event) => [event, event])
        .keyBy((event) => event.user)
        .window(TumblingEventTimeWindows.of(10_000))
        .process(CountPerWindow),
    );
    await env.submit({ autostop: true });
    expect(out).toEqual(['ADA@0:2', 'ADA@10000:2']);
  });

  it('async functions with records in flight, ordered or not, give each result the timestamp of its own record', async () => {
    const env = new LocalEnvironment('async-timestamps', quiet);
    const stamped = env.fromBatch(Array.from({ length: 50 }, (_, i) => click('ada', i * 10))).assignTimestampsAndWatermarks(byTs);
    // Results complete out of input order: record i waits i % 3 turns of the event loop.
    const delayed = (event: Click) =>
      new Promise<Click>((resolve) => {
        let turns = (event.ts / 10) % 3;
        const step = () => (turns-- > 0 ? setImmediate(step) : resolve(event));
        step();
      });
    const ordered = stamped.map(delayed, { concurrency: 8 });
    const unordered = stamped.map(delayed, { concurrency: 8, ordered: false, name: 'unordered' });
    const check = (stream: DataStream<Click>) => {
      const pairs: Array<[number, number | undefined]> = [];
      const strategy = WatermarkStrategy.forMonotonousTimestamps<Click>().withTimestampAssigner((event, timestamp) => {
        pairs.push([event.ts, timestamp]);
        return event.ts;
      });
      collect(stream.assignTimestampsAndWatermarks(strategy));
      return pairs;
    };
    const orderedPairs = check(ordered);
    const unorderedPairs = check(unordered);
    await env.submit({ autostop: true });
    expect(unorderedPairs.map(([ts]) => ts)).not.toEqual(orderedPairs.map(([ts]) => ts));
    for (const pairs of [orderedPairs, unorderedPairs]) {
      expect(pairs).toHaveLength(50);
      for (const [ts, timestamp] of pairs) expect(timestamp).toBe(ts);
    }
  });

  it('a union of two timestamped streams (connect + map) waits for the slower input', async () => {
    const env = new LocalEnvironment('union', { ...quiet, batchSize: 1 });
    const seen: number[] = [];
    class Watermarks extends ProcessWindowFunction<Click, string, string, TimeWindow> {
      process(key: string, context: ProcessWindowContext<TimeWindow>, elements: readonly Click[], out: Collector<string>): void {
        seen.push(context.currentWatermark);
        out.collect(`${key}@${context.window.start}:${elements.length}`);
      }
    }
    const monotonous = WatermarkStrategy.forMonotonousTimestamps<Click>().withTimestampAssigner((event) => event.ts);
    const fast = env.fromBatch([click('ada', 50_000)]).assignTimestampsAndWatermarks(monotonous);
    const slow = env.fromBatch([click('ada', 1_000), click('ada', 2_000)]).assignTimestampsAndWatermarks(monotonous);
    const out = collect(
      fast
        .connect(slow)
        .map((event: Click) => event)
        .keyBy((event) => event.user)
        .window(TumblingEventTimeWindows.of(10_000))
        .process(Watermarks, { name: 'windows' }),
    );
    const result = await env.submit({ autostop: true });
    // Had the fast input's watermark (49999) won, the slow input's elements would be late.
    expect(out.sort()).toEqual(['ada@0:2', 'ada@50000:1']);
    expect(result.operators.windows!.lateRecordsDropped).toBe(0);
    expect(seen.every((watermark) => watermark >= 9_999)).toBe(true);
  });

  it('allowed lateness: a late element within it fires the window again, a later one goes to the side output', async () => {
    const env = new LocalEnvironment('lateness', { ...quiet, batchSize: 1 });
    const late = new OutputTag<Click>('late');
    const monotonous = WatermarkStrategy.forMonotonousTimestamps<Click>().withTimestampAssigner((event) => event.ts);
    const clicks = [click('ada', 1_000), click('ada', 10_500), click('ada', 5_000), click('ada', 12_500), click('ada', 3_000)];
    const counts = env
      .fromBatch(clicks)
      .assignTimestampsAndWatermarks(monotonous)
      .keyBy((event) => event.user)
      .window(TumblingEventTimeWindows.of(10_000))
      .allowedLateness(2_000)
      .sideOutputLateData(late)
      .process(CountPerWindow, { name: 'counts' });
    const out = collect(counts);
    const lateOut = collect(counts.getSideOutput(late));
    const dropped = collect(
      env
        .fromBatch(clicks, { name: 'again' })
        .assignTimestampsAndWatermarks(monotonous)
        .keyBy((event) => event.user)
        .window(TumblingEventTimeWindows.of(10_000))
        .allowedLateness(2_000)
        .aggregate(Count, { name: 'dropping' }),
    );
    const result = await env.submit({ autostop: true });
    expect(out).toEqual(['ada@0:1', 'ada@0:2', 'ada@10000:2']);
    expect(lateOut).toEqual([click('ada', 3_000)]);
    expect(dropped).toEqual([1, 2, 2]);
    expect(result.operators.dropping!.lateRecordsDropped).toBe(1);
    expect(result.operators.counts!.lateRecordsDropped).toBe(0);
  });

  it('count windows fire every n records per key, sliding ones every slide over the last n; leftovers do not fire', async () => {
    const env = new LocalEnvironment('counts', quiet);
    const values = [1, 2, 3, 4, 5, 6, 7].map((n) => ({ key: n % 2, n }));
    const tumbling = collect(
      env
        .fromBatch(values)
        .keyBy((record) => record.key)
        .countWindow(2)
        .aggregate(Sum.of('n')),
    );
    const sliding = collect(
      env
        .fromBatch(values, { name: 'second' })
        .keyBy((record) => record.key)
        .countWindow(3, 2)
        .aggregate(Sum.of('n')),
    );
    const triggered = collect(
      env
        .fromBatch([1, 2, 3, 4, 5], { name: 'third' })
        .windowAll(GlobalWindows.create())
        .trigger(CountTrigger.of(2))
        .aggregate(Count),
    );
    await env.submit({ autostop: true });
    // Odd keys 1+3, 5+7; even keys 2+4 (6 is left over).
    expect(tumbling.sort((a, b) => a - b)).toEqual([4, 6, 12]);
    // Every second record, the sum of the last three: odd 1+3, then 3+5+7; even 2+4.
    expect(sliding.sort((a, b) => a - b)).toEqual([4, 6, 15]);
    expect(triggered).toEqual([2, 4]);
  });

  it.each([1, 2])('gives the same results for permutations within the bound (parallelism %i)', async (parallelism) => {
    const next = seededRandom(7);
    const users = ['ada', 'bob', 'cy'];
    const base = Array.from({ length: 300 }, () => click(users[Math.floor(next() * 3)]!, Math.floor(next() * 60_000)));
    const runs: string[][] = [];
    for (let run = 0; run < 3; run++) {
      const permuted = base
        .map((event) => ({ event, arrival: event.ts + next() * 4_000 }))
        .sort((a, b) => a.arrival - b.arrival)
        .map(({ event }) => event);
      const env = new LocalEnvironment(`permutation-${run}`, { ...quiet, batchSize: 7 });
      const out = collect(
        env
          .fromBatch(permuted, { parallelism })
          .assignTimestampsAndWatermarks(byTs, { parallelism })
          .keyBy((event) => event.user)
          .window(SlidingEventTimeWindows.of(10_000, 5_000))
          .process(CountPerWindow, { parallelism, name: 'windows' }),
      );
      const result = await env.submit({ autostop: true });
      expect(result.operators.windows!.lateRecordsDropped).toBe(0);
      runs.push(out.sort());
    }
    expect(runs[1]).toEqual(runs[0]);
    expect(runs[2]).toEqual(runs[0]);
    expect(runs[0]!.length).toBeGreaterThan(30);
  });

  it('withIdleness: an input that stops sending is left out, so the windows of the other input fire while it hangs', async () => {
    const clock = new VirtualClock();
    const env = new LocalEnvironment('idleness', { ...quiet, clock, batchSize: 1 });
    const strategy = WatermarkStrategy.forMonotonousTimestamps<Click>()
      .withTimestampAssigner((event) => event.ts)
      .withIdleness(500);
    const out: string[] = [];
    let sent = 0;
    // Active: one record per 100 ms of processing time, event time 1 s apart; ends after 30 records.
    const active = async () => {
      await new Promise((resolve) => setImmediate(resolve));
      if (sent === 30) return END_OF_STREAM;
      clock.advance(100);
      return click('ada', 1_000 * sent++);
    };
    let hung = false;
    // Hanging: one record, then nothing until the job stops.
    const hanging = () => {
      if (hung) return new Promise<never>(() => {});
      hung = true;
      return click('bob', 0);
    };
    const ada = env.fromSource(active).assignTimestampsAndWatermarks(strategy);
    const bob = env.fromSource(hanging).assignTimestampsAndWatermarks(strategy);
    ada
      .connect(bob)
      .map((event: Click) => event)
      .keyBy((event) => event.user)
      .window(TumblingEventTimeWindows.of(5_000))
      .process(CountPerWindow)
      .sink((result) => {
        out.push(result);
      });
    await env.submit();
    for (let turn = 0; turn < 10_000 && out.length < 7; turn++) await new Promise((resolve) => setImmediate(resolve));
    // While the hanging source still runs, every window has fired: its input is idle, the other one ended.
    expect([...out].sort()).toEqual(['ada@0:5', 'ada@10000:5', 'ada@15000:5', 'ada@20000:5', 'ada@25000:5', 'ada@5000:5', 'bob@0:1']);
    const result = await env.stop();
    expect(result?.status).toBe('stopped');
    expect(out).toHaveLength(7);
    expect(clock.pending).toBe(0);
  });

  it('processing-time windows fire on the injected clock', async () => {
    const clock = new VirtualClock();
    const env = new LocalEnvironment('processing', { ...quiet, clock, batchSize: 1 });
    let processed = 0;
    let emitted = 0;
    const source = async () => {
      if (emitted < 5) return click('ada', emitted++);
      // Once the window holds every record, move processing time past its end.
      while (processed < 5) await new Promise((resolve) => setImmediate(resolve));
      if (clock.now() === 0) clock.advance(1_000);
      return END_OF_STREAM;
    };
    const out = collect(
      env
        .fromSource(source)
        .keyBy((event) => {
          processed++;
          return event.user;
        })
        .window(TumblingProcessingTimeWindows.of(1_000))
        .aggregate(Count),
    );
    await env.submit({ autostop: true });
    expect(out).toEqual([5]);
  });
});

describe('window errors and pipelines without event time', () => {
  it('a timestamp assigner that returns NaN or throws fails the job naming the operator and the value', async () => {
    const bad = new LocalEnvironment('nan', quiet);
    collect(bad.fromBatch([click('ada', 1)]).assignTimestampsAndWatermarks(WatermarkStrategy.forMonotonousTimestamps<Click>().withTimestampAssigner(() => Number.NaN), { name: 'stamp' }));
    const failure = bad.submit({ autostop: true });
    await expect(failure).rejects.toThrow(ValidationError);
    await expect(failure).rejects.toThrow(/operator "stamp": timestamp must be a finite integer number of milliseconds, got NaN/);

    const throwing = new LocalEnvironment('throws', quiet);
    const strategy = WatermarkStrategy.forMonotonousTimestamps<Click>().withTimestampAssigner(() => {
      throw new Error('no ts');
    });
    collect(throwing.fromBatch([click('ada', 1)]).assignTimestampsAndWatermarks(strategy, { name: 'stamp' }));
    await expect(throwing.submit({ autostop: true })).rejects.toThrow(OperatorError);
  });

  it('an event-time window over records without timestamps names the window operator', async () => {
    const env = new LocalEnvironment('no-timestamps', quiet);
    collect(
      env
        .fromBatch([click('ada', 1)])
        .keyBy((event) => event.user)
        .window(TumblingEventTimeWindows.of(1_000))
        .aggregate(Count, { name: 'per_user' }),
    );
    await expect(env.submit({ autostop: true })).rejects.toThrow(/window operator "per_user": timestamp must be a finite integer/);
  });

  it('empty input: no results, no error', async () => {
    const env = new LocalEnvironment('empty', quiet);
    const out = collect(
      env
        .fromBatch([] as Click[])
        .assignTimestampsAndWatermarks(byTs)
        .keyBy((event) => event.user)
        .window(TumblingEventTimeWindows.of(1_000))
        .aggregate(Count, { name: 'per_user' }),
    );
    const result = await env.submit({ autostop: true });
    expect(out).toEqual([]);
    expect(result.operators.per_user).toMatchObject({ recordsIn: 0, recordsOut: 0, lateRecordsDropped: 0 });
  });

  it('a window function that throws fails the job with an OperatorError naming the window operator', async () => {
    const env = new LocalEnvironment('throwing-window', quiet);
    collect(
      env
        .fromBatch([click('ada', 1), click('ada', 2)])
        .assignTimestampsAndWatermarks(byTs)
        .keyBy((event) => event.user)
        .window(TumblingEventTimeWindows.of(1_000))
        .reduce(() => {
          throw new Error('boom');
        }, { name: 'reducing' }),
    );
    const error = await env.submit({ autostop: true }).catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(OperatorError);
    expect(String((error as Error).message)).toMatch(/reducing/);
  });

  it('an error upstream of the window fails the job with that error', async () => {
    const env = new LocalEnvironment('upstream-error', quiet);
    collect(
      env
        .fromBatch([click('ada', 1)])
        .map((): Click => {
          throw new Error('bad record');
        }, { name: 'parse' })
        .assignTimestampsAndWatermarks(byTs)
        .keyBy((event) => event.user)
        .window(TumblingEventTimeWindows.of(1_000))
        .aggregate(Count),
    );
    await expect(env.submit({ autostop: true })).rejects.toThrow(/parse/);
  });

  it('a never-ending source stopped early: what reached the window fires as the job ends', async () => {
    const env = new LocalEnvironment('stopped', { ...quiet, batchSize: 1 });
    let n = 0;
    const out: number[] = [];
    env
      .fromSource(async () => {
        await new Promise((resolve) => setImmediate(resolve));
        return click('ada', 1_000 * n++);
      })
      .assignTimestampsAndWatermarks(byTs)
      .windowAll(TumblingEventTimeWindows.of(1_000_000))
      .aggregate(Count)
      .sink((count) => {
        out.push(count);
      });
    await env.submit();
    while (n < 20) await new Promise((resolve) => setImmediate(resolve));
    const result = await env.stop();
    expect(result?.status).toBe('stopped');
    expect(out).toHaveLength(1);
    expect(out[0]).toBeGreaterThanOrEqual(20);
  });

  it('refuses bad declarations: negative lateness, windowAll parallelism, a non-assigner', () => {
    const env = new LocalEnvironment('declarations', quiet);
    const stream = env.fromBatch([click('ada', 1)]);
    const keyed = stream.keyBy((event) => event.user);
    expect(() => keyed.window(TumblingEventTimeWindows.of(10)).allowedLateness(-1)).toThrow(ValidationError);
    expect(() => stream.windowAll(TumblingEventTimeWindows.of(10)).aggregate(Count, { parallelism: 2 })).toThrow(/parallelism 1/);
    expect(() => keyed.window({} as never)).toThrow(/expected a window assigner/);
    expect(() => keyed.window(TumblingProcessingTimeWindows.of(10)).allowedLateness(5).aggregate(Count, { name: 'now' })).toThrow(
      /window operator "now": allowedLateness applies to event-time windows only/,
    );
  });

  it('a pipeline without event time has the same results and metrics keys as before, and no window metric', async () => {
    const env = new LocalEnvironment('plain', quiet);
    const out = collect(
      env
        .fromBatch([1, 2, 3, 4])
        .map((n) => n * 2, { name: 'double' })
        .filter((n) => n > 2, { name: 'big' }),
      { name: 'out' },
    );
    const result = await env.submit({ autostop: true });
    expect(out).toEqual([4, 6, 8]);
    expect(Object.keys(result.operators.double!).sort()).toEqual(
      ['batchesIn', 'busyMs', 'errors', 'kind', 'maxQueueDepth', 'meanBatchSize', 'name', 'parallelism', 'recordsIn', 'recordsOut', 'restarts', 'retries', 'skipped', 'throughput'].sort(),
    );
    expect(result.operators.big).toMatchObject({ recordsIn: 4, recordsOut: 3, maxQueueDepth: result.operators.big!.maxQueueDepth });
  });
});
