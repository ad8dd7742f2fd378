/**
 * The windowing rules (docs/windows.md, rules 1-8 and the bad-input rules) on every engine: the TypeScript
 * general core, its specialized operators (aligned tables, session lists) and the sage_flow C++ engine. Every
 * case states the expected output once; each engine must produce it.
 */
import { OperatorError, seededRandom, ValidationError } from '@sage/common';
import { describe, expect, it } from 'vitest';
import { EventTimeSessionWindows, SlidingEventTimeWindows, TumblingEventTimeWindows, type WindowAssigner } from './assigners.js';
import { Count, Max, Mean, Min, Sum, TopK, VectorMean, VectorSum } from './built-in-aggregates.js';
import { BoundedOutOfOrdernessWatermarks } from './watermarks.js';
import { MAX_WATERMARK, type TimeWindow } from './window.js';
import { type AggregateFunction, type Collector, type ProcessWindowContext, ProcessWindowFunction, WindowFunctions } from './window-functions.js';
import { type StreamRecord, WindowOperatorTestHarness } from './window-operator-test-harness.js';

interface Click {
  user: string;
  ts: number;
  amount?: number;
  v?: Float32Array;
}

const click = (user: string, ts: number, amount = 0, v?: Float32Array): Click => ({ user, ts, amount, v });
const vec = (...values: number[]) => Float32Array.from(values);

/** `typescript` is the general core; `specialized` the aligned tables (tumbling, sliding) and session lists a job runs these aggregates on. */
type Engine = 'typescript' | 'specialized' | 'native';

describe.each<Engine>(['typescript', 'specialized', 'native'])('windowing rules on the %s engine', (engine) => {
  function harness<Out>(
    assigner: WindowAssigner<TimeWindow>,
    aggregate: AggregateFunction<Click, any, Out>,
    options: { allowedLateness?: number; sideOutputLateData?: boolean; keyed?: boolean; name?: string } = {},
  ) {
    return new WindowOperatorTestHarness<Click, Out, string, TimeWindow>({
      name: options.name ?? 'conformance',
      assigner,
      keySelector: options.keyed === false ? undefined : (event) => event.user,
      function: WindowFunctions.aggregate(aggregate),
      allowedLateness: options.allowedLateness,
      sideOutputLateData: options.sideOutputLateData,
      engine,
    });
  }

  /** Feeds the clicks as one batch, as a task hands them over. */
  function feed(target: WindowOperatorTestHarness<Click, any, any, any>, events: Click[]): void {
    target.processBatch(
      events,
      events.map((event) => event.ts),
    );
  }

  describe('rule 1: half-open windows aligned to the epoch plus offset', () => {
    it('fires a window when the watermark reaches maxTimestamp, with maxTimestamp as the result timestamp, keys in order', () => {
      const h = harness(TumblingEventTimeWindows.of(10_000), Count);
      feed(h, [click('b', 5_000), click('a', 1_000), click('a', 9_999), click('a', 10_000)]);
      h.processWatermark(9_998);
      expect(h.getOutput()).toEqual([]);
      h.processWatermark(9_999);
      expect(h.getOutput()).toEqual([
        { value: 2, timestamp: 9_999 },
        { value: 1, timestamp: 9_999 },
      ]);
      h.processWatermark(9_999);
      h.processWatermark(5);
      expect(h.getEmittedWatermarks()).toEqual([9_998, 9_999]);
      expect(h.operator.windowCount).toBe(1);
    });

    it('aligns negative timestamps and offsets', () => {
      const h = harness(TumblingEventTimeWindows.of(10, 3), Sum.of<Click>('amount'));
      feed(h, [click('a', -1, 1), click('a', -7, 2), click('a', -8, 4), click('a', 3, 8), click('a', 2, 16)]);
      h.endOfInput();
      // Windows [-17,-7), [-7,3), [3,13).
      expect(h.getOutput()).toEqual([
        { value: 4, timestamp: -8 },
        { value: 19, timestamp: 2 },
        { value: 8, timestamp: 12 },
      ]);
    });
  });

  describe('rule 2: sliding windows', () => {
    it('counts each element in size / slide windows', () => {
      const h = harness(SlidingEventTimeWindows.of(10, 5), Count, { keyed: false });
      feed(h, [click('a', 0), click('a', 4), click('b', 5), click('a', 12)]);
      h.endOfInput();
      expect(h.getOutput()).toEqual([
        { value: 2, timestamp: 4 },
        { value: 3, timestamp: 9 },
        { value: 2, timestamp: 14 },
        { value: 1, timestamp: 19 },
      ]);
    });

    it('puts an element in floor or ceil(size / slide) windows when slide does not divide size, as Flink', () => {
      const h = harness(SlidingEventTimeWindows.of(10, 4), Count, { keyed: false });
      feed(h, [click('a', 0), click('a', 1)]);
      h.endOfInput();
      // 0 is in [-8,2), [-4,6), [0,10); 1 too; windows end 2, 6, 10.
      expect(h.getOutput()).toEqual([
        { value: 2, timestamp: 1 },
        { value: 2, timestamp: 5 },
        { value: 2, timestamp: 9 },
      ]);
    });
  });

  describe('rule 3: session windows', () => {
    it('merges sessions that touch or overlap, also when a late-arriving element bridges two', () => {
      const h = harness(EventTimeSessionWindows.withGap(5), Count);
      feed(h, [click('a', 0), click('a', 5), click('a', 20), click('a', 12), click('b', 3), click('a', 16)]);
      h.processWatermark(9);
      expect(h.getOutput()).toEqual([
        { value: 1, timestamp: 7 },
        { value: 2, timestamp: 9 },
      ]);
      h.endOfInput();
      expect(h.getOutput()[2]).toEqual({ value: 3, timestamp: 24 });
      expect(h.operator.windowCount).toBe(0);
    });

    it('merges accumulators (sum, min, max, mean)', () => {
      const events = [click('a', 10, 4), click('a', 1, 9), click('a', 6, -2)];
      const results = [Sum.of<Click>('amount'), Min.of<Click>('amount'), Max.of<Click>('amount'), Mean.of<Click>('amount')].map((aggregate) => {
        const h = harness(EventTimeSessionWindows.withGap(5), aggregate as AggregateFunction<Click, any, number | undefined>);
        feed(h, events);
        h.endOfInput();
        return h.getOutput();
      });
      expect(results).toEqual([[{ value: 11, timestamp: 14 }], [{ value: -2, timestamp: 14 }], [{ value: 9, timestamp: 14 }], [{ value: 11 / 3, timestamp: 14 }]]);
    });

    it('fires a merged session again when a late element within allowed lateness extends it', () => {
      const h = harness(EventTimeSessionWindows.withGap(5), Count, { allowedLateness: 10 });
      feed(h, [click('a', 0)]);
      h.processWatermark(8);
      feed(h, [click('a', 1), click('a', 3)]);
      expect(h.getOutput()).toEqual([
        { value: 1, timestamp: 4 },
        { value: 2, timestamp: 5 },
        { value: 3, timestamp: 7 },
      ]);
      // A session extended past the watermark waits for it again.
      feed(h, [click('a', 7)]);
      expect(h.getOutput()).toHaveLength(3);
      h.endOfInput();
      expect(h.getOutput()[3]).toEqual({ value: 4, timestamp: 11 });
      expect(h.operator.windowCount).toBe(0);
    });
  });

  describe('rule 5: lateness', () => {
    it('drops and counts late elements without a side output', () => {
      const h = harness(TumblingEventTimeWindows.of(10_000), Count);
      feed(h, [click('a', 1_000)]);
      h.processWatermark(9_999);
      feed(h, [click('a', 9_999), click('a', 3_000), click('a', 10_000)]);
      expect(h.operator.numLateRecordsDropped).toBe(2);
      expect(h.getOutput()).toEqual([{ value: 1, timestamp: 9_999 }]);
      expect(h.operator.windowCount).toBe(1);
    });

    it('sends late elements to the side output with their timestamps', () => {
      const h = harness(TumblingEventTimeWindows.of(10_000), Count, { sideOutputLateData: true });
      h.processWatermark(9_999);
      feed(h, [click('a', 9_999), click('a', 10_000), click('b', 2)]);
      expect(h.getSideOutput()).toEqual([
        { value: click('a', 9_999), timestamp: 9_999 },
        { value: click('b', 2), timestamp: 2 },
      ]);
      expect(h.operator.numLateRecordsDropped).toBe(0);
    });

    it('accepts elements within allowed lateness, fires the window again for each, and cleans up at maxTimestamp + L', () => {
      const h = harness(TumblingEventTimeWindows.of(10_000), Count, { allowedLateness: 2_000, sideOutputLateData: true });
      feed(h, [click('a', 1_000)]);
      h.processWatermark(9_999);
      h.processWatermark(11_998);
      feed(h, [click('a', 2_000), click('a', 2_500)]);
      expect(h.getOutput()).toEqual([
        { value: 1, timestamp: 9_999 },
        { value: 2, timestamp: 9_999 },
        { value: 3, timestamp: 9_999 },
      ]);
      expect(h.operator.windowCount).toBe(1);
      h.processWatermark(11_999);
      expect(h.operator.windowCount).toBe(0);
      feed(h, [click('a', 3_000)]);
      expect(h.getSideOutput()).toEqual([{ value: click('a', 3_000), timestamp: 3_000 }]);
      expect(h.getOutput()).toHaveLength(3);
    });

    it('keeps an element of a sliding window as long as one of its windows is not late', () => {
      const h = harness(SlidingEventTimeWindows.of(10, 5), Count, { sideOutputLateData: true });
      h.processWatermark(9);
      feed(h, [click('a', 7)]);
      expect(h.getSideOutput()).toEqual([]);
      h.endOfInput();
      expect(h.getOutput()).toEqual([{ value: 1, timestamp: 14 }]);
    });
  });

  describe('rule 8: end of input', () => {
    it('the final watermark fires every remaining window in time order, then key order', () => {
      const h = harness(TumblingEventTimeWindows.of(10), Max.of<Click>('amount'));
      feed(h, [click('b', 25, 1), click('a', 3, 7), click('b', 4, 2), click('a', 21, 5), click('a', 22, 6)]);
      h.endOfInput();
      expect(h.getOutput()).toEqual([
        { value: 7, timestamp: 9 },
        { value: 2, timestamp: 9 },
        { value: 6, timestamp: 29 },
        { value: 1, timestamp: 29 },
      ]);
      expect(h.getEmittedWatermarks()).toEqual([MAX_WATERMARK]);
      expect(h.operator.windowCount).toBe(0);
    });

    it('keys by value: equal object keys share windows', () => {
      const h = new WindowOperatorTestHarness<{ key: { id: number; region: string }; ts: number }, number>({
        name: 'object_keys',
        assigner: TumblingEventTimeWindows.of(10),
        keySelector: (event) => event.key,
        function: WindowFunctions.aggregate(Count),
        engine,
      });
      h.processBatch(
        [
          { key: { id: 1, region: 'eu' }, ts: 1 },
          { key: { region: 'eu', id: 1 }, ts: 2 },
          { key: { id: 2, region: 'eu' }, ts: 3 },
        ],
        [1, 2, 3],
      );
      h.endOfInput();
      expect(h.getOutputValues()).toEqual([2, 1]);
    });
  });

  describe('aggregate followed by a process window function', () => {
    /** Emits `{ key, start, end, value, watermark }` for each fired window. */
    class WithKeyAndWindow extends ProcessWindowFunction<unknown, Labelled, unknown, TimeWindow> {
      process(key: unknown, context: ProcessWindowContext<TimeWindow>, results: readonly unknown[], out: Collector<Labelled>): void {
        out.collect({ key, start: context.window.start, end: context.window.end, value: results, watermark: context.currentWatermark });
      }
    }
    interface Labelled {
      key: unknown;
      start: number;
      end: number;
      value: readonly unknown[];
      watermark: number;
    }
    function labelled(assigner: WindowAssigner<TimeWindow>, aggregate: AggregateFunction<Click, any, unknown>, options: { keyed?: boolean; allowedLateness?: number } = {}) {
      return new WindowOperatorTestHarness<Click, Labelled, unknown, TimeWindow>({
        name: 'labelled',
        assigner,
        keySelector: options.keyed === false ? undefined : (event) => event.user,
        function: WindowFunctions.aggregate(aggregate, new WithKeyAndWindow()),
        allowedLateness: options.allowedLateness,
        engine,
      });
    }

    it('hands each fired window its key, window and result, with the window maxTimestamp as the timestamp', () => {
      const h = labelled(SlidingEventTimeWindows.of(10, 5), Sum.of<Click>('amount'));
      feed(h, [click('b', 7, 1), click('a', 3, 2), click('a', 12, 4)]);
      h.processWatermark(9);
      expect(h.getOutput()).toEqual([
        { value: { key: 'a', start: -5, end: 5, value: [2], watermark: 9 }, timestamp: 4 },
        { value: { key: 'a', start: 0, end: 10, value: [2], watermark: 9 }, timestamp: 9 },
        { value: { key: 'b', start: 0, end: 10, value: [1], watermark: 9 }, timestamp: 9 },
      ]);
      h.endOfInput();
      expect(h.getOutputValues().slice(3)).toEqual([
        { key: 'a', start: 5, end: 15, value: [4], watermark: MAX_WATERMARK },
        { key: 'b', start: 5, end: 15, value: [1], watermark: MAX_WATERMARK },
        { key: 'a', start: 10, end: 20, value: [4], watermark: MAX_WATERMARK },
      ]);
    });

    it('gives merged session windows, vector results, and no key for windowAll', () => {
      const sessions = labelled(EventTimeSessionWindows.withGap(5), Count);
      feed(sessions, [click('a', 1), click('a', 12), click('a', 4), click('b', 2)]);
      sessions.endOfInput();
      expect(sessions.getOutputValues().map(({ key, start, end, value }) => ({ key, start, end, value }))).toEqual([
        { key: 'b', start: 2, end: 7, value: [1] },
        { key: 'a', start: 1, end: 9, value: [2] },
        { key: 'a', start: 12, end: 17, value: [1] },
      ]);
      const all = labelled(TumblingEventTimeWindows.of(10), VectorSum.of<Click>('v'), { keyed: false });
      feed(all, [click('a', 1, 0, vec(1, 2)), click('b', 2, 0, vec(3, 4))]);
      all.endOfInput();
      expect(all.getOutputValues()).toEqual([{ key: undefined, start: 0, end: 10, value: [vec(4, 6)], watermark: MAX_WATERMARK }]);
    });

    it('fires again for an accepted late element, and gives object keys as the selector returned them', () => {
      const h = labelled(TumblingEventTimeWindows.of(10), Count, { allowedLateness: 5 });
      feed(h, [click('a', 1)]);
      h.processWatermark(12);
      feed(h, [click('a', 2)]);
      expect(h.getOutputValues().map(({ value, watermark }) => ({ value, watermark }))).toEqual([
        { value: [1], watermark: 12 },
        { value: [2], watermark: 12 },
      ]);
      const objects = new WindowOperatorTestHarness<{ key: { id: number }; ts: number }, unknown>({
        name: 'object_keys_process',
        assigner: TumblingEventTimeWindows.of(10),
        keySelector: (event) => event.key,
        function: WindowFunctions.aggregate(Count, new WithKeyAndWindow() as never),
        engine,
      });
      objects.processBatch([{ key: { id: 1 }, ts: 1 }, { key: { id: 1 }, ts: 2 }], [1, 2]);
      objects.endOfInput();
      expect(objects.getOutputValues()).toEqual([{ key: { id: 1 }, start: 0, end: 10, value: [2], watermark: MAX_WATERMARK }]);
    });

    it('a process function that throws fails with an OperatorError naming the operator and the window', () => {
      class Failing extends ProcessWindowFunction<number, never, unknown, TimeWindow> {
        process(): void {
          throw new Error('no');
        }
      }
      const h = new WindowOperatorTestHarness<Click, never, string, TimeWindow>({
        name: 'failing_process',
        assigner: TumblingEventTimeWindows.of(10),
        keySelector: (event) => event.user,
        function: WindowFunctions.aggregate(Count, new Failing()),
        engine,
      });
      feed(h, [click('a', 1)]);
      let thrown: unknown;
      try {
        h.endOfInput();
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(OperatorError);
      expect((thrown as Error).message).toBe('operator "failing_process" failed on record "TimeWindow{start=0, end=10}": no');
    });
  });

  it('keys come and go: results keep key order when keys of finished windows are forgotten and new ones arrive', () => {
    const h = harness(TumblingEventTimeWindows.of(10), Count);
    const expected: Array<StreamRecord<number>> = [];
    for (let round = 0; round < 3; round++) {
      const users = Array.from({ length: 20 }, (_, i) => `u${(round * 7 + i * 13) % 50}`);
      feed(
        h,
        users.flatMap((user, i) => Array.from({ length: 1 + (i % 3) }, () => click(user, round * 10 + Math.floor(i / 4)))),
      );
      h.processWatermark(round * 10 + 9);
      const counts = new Map<string, number>();
      for (const [i, user] of users.entries()) counts.set(user, (counts.get(user) ?? 0) + 1 + (i % 3));
      for (const user of [...counts.keys()].sort()) expected.push({ value: counts.get(user)!, timestamp: round * 10 + 9 });
    }
    expect(h.getOutput()).toEqual(expected);
    expect(h.operator.windowCount).toBe(0);
    if ('keyCount' in h.operator) expect(h.operator.keyCount).toBe(0);
  });

  describe('vector aggregates', () => {
    it('element-wise sum and mean of Float32Array vectors, per window', () => {
      const events = [click('a', 1, 0, vec(1, 2)), click('a', 2, 0, vec(3, 4)), click('a', 12, 0, vec(0.5, 0.25))];
      const sums = harness(TumblingEventTimeWindows.of(10), VectorSum.of<Click>('v'));
      const means = harness(TumblingEventTimeWindows.of(10), VectorMean.of<Click>('v'));
      feed(sums, events);
      feed(means, events);
      sums.endOfInput();
      means.endOfInput();
      expect(sums.getOutput()).toEqual([
        { value: vec(4, 6), timestamp: 9 },
        { value: vec(0.5, 0.25), timestamp: 19 },
      ]);
      expect(means.getOutputValues()).toEqual([vec(2, 3), vec(0.5, 0.25)]);
    });

    it('vector mean over merging sessions, and the element itself as the vector', () => {
      const h = new WindowOperatorTestHarness<Float32Array, Float32Array | undefined>({
        name: 'centroid',
        assigner: EventTimeSessionWindows.withGap(5),
        function: WindowFunctions.aggregate(VectorMean.of()),
        engine,
      });
      h.processBatch([vec(2, 0), vec(0, 2), vec(4, 4)], [0, 10, 5]);
      h.endOfInput();
      expect(h.getOutput()).toEqual([{ value: vec(2, 2), timestamp: 14 }]);
    });

    it('top-k by cosine similarity: the k most similar vectors of the window, best first', () => {
      const h = harness(TumblingEventTimeWindows.of(10), TopK.of<Click>(2, vec(1, 0), 'v'));
      feed(h, [click('a', 1, 0, vec(0, 1)), click('a', 2, 0, vec(1, 1)), click('a', 3, 0, vec(3, 0)), click('a', 4, 0, vec(-1, 0))]);
      h.endOfInput();
      expect(h.getOutputValues()).toEqual([
        [
          { score: 1, vector: vec(3, 0) },
          { score: 1 / Math.sqrt(2), vector: vec(1, 1) },
        ],
      ]);
    });
  });

  describe('bad input', () => {
    it.each([Number.NaN, Number.POSITIVE_INFINITY, 1.5, -Number.MAX_VALUE])('refuses the timestamp %s naming the operator and the value; the windows before it stay', (timestamp) => {
      const h = harness(TumblingEventTimeWindows.of(10), Count, { name: 'clicks' });
      let caught: unknown;
      try {
        h.processBatch([click('a', 1), click('a', 2), click('a', 3)], [1, timestamp, 3]);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(ValidationError);
      expect((caught as Error).message).toContain(`window operator "clicks": timestamp must be a finite integer number of milliseconds, got ${String(timestamp)}`);
      h.endOfInput();
      expect(h.getOutput()).toEqual([{ value: 1, timestamp: 9 }]);
    });

    it('refuses vectors of mixed dimension in one window naming the operator and the value; other windows keep their state', () => {
      const h = harness(TumblingEventTimeWindows.of(10), VectorMean.of<Click>('v'), { name: 'centroids' });
      feed(h, [click('b', 1, 0, vec(1, 1, 1))]);
      expect(() => feed(h, [click('a', 1, 0, vec(1, 2)), click('a', 2, 0, vec(1, 2, 3))])).toThrow(
        'window operator "centroids": VectorMean: vectors of mixed dimension in one window: 3 after 2',
      );
      h.endOfInput();
      expect(h.getOutputValues()).toEqual([vec(1, 2), vec(1, 1, 1)]);
    });

    it('refuses a value that is not a finite number naming the operator and the value', () => {
      const h = harness(TumblingEventTimeWindows.of(10), Sum.of<Click>('amount'), { name: 'sums' });
      expect(() => feed(h, [click('a', 1, 2), click('a', 2, Number.NaN)])).toThrow('window operator "sums": Sum: value must be a finite number, got NaN');
      expect(() => feed(h, [{ user: 'a', ts: 3, amount: 'x' as never }])).toThrow('window operator "sums": Sum: value must be a finite number, got "x"');
      h.endOfInput();
      expect(h.getOutputValues()).toEqual([2]);
    });

    it('sends a late record with a bad value to the side output, as any late record', () => {
      const h = harness(TumblingEventTimeWindows.of(10), Sum.of<Click>('amount'), { name: 'sums', sideOutputLateData: true });
      h.processWatermark(20);
      feed(h, [{ user: 'a', ts: 3, amount: 'x' as never }, click('a', 25, 4)]);
      expect(h.getSideOutput().map((record) => record.timestamp)).toEqual([3]);
      expect(() => feed(h, [{ user: 'a', ts: 26 } as Click])).toThrow('window operator "sums": Sum: value must be a finite number, got undefined');
      expect(() => h.processBatch([7 as never], [27])).toThrow('window operator "sums": Sum: element has no field "amount": 7');
      h.endOfInput();
      expect(h.getOutputValues()).toEqual([4]);
    });

    it('refuses a NaN watermark', () => {
      const h = harness(TumblingEventTimeWindows.of(10), Count, { name: 'wm' });
      expect(() => h.processWatermark(Number.NaN)).toThrow('window operator "wm": watermark must be a number, got NaN');
    });
  });

  describe('rule 7: determinism', () => {
    const BOUND = 4_000;
    interface Event {
      user: string;
      ts: number;
      amount: number;
      v: Float32Array;
    }

    function run<Out>(input: Event[], assigner: WindowAssigner<TimeWindow>, aggregate: AggregateFunction<Event, any, Out>, batch: number): StreamRecord<Out>[] {
      const h = new WindowOperatorTestHarness<Event, Out, string, TimeWindow>({
        name: 'determinism',
        assigner,
        keySelector: (event) => event.user,
        function: WindowFunctions.aggregate(aggregate),
        sideOutputLateData: true,
        engine,
      });
      const generator = new BoundedOutOfOrdernessWatermarks<Event>(BOUND);
      const output = { emitWatermark: (watermark: number) => h.processWatermark(watermark), markIdle() {}, markActive() {} };
      for (let start = 0; start < input.length; start += batch) {
        const slice = input.slice(start, start + batch);
        h.processBatch(
          slice,
          slice.map((event) => event.ts),
        );
        for (const event of slice) generator.onEvent(event, event.ts, output);
        generator.onPeriodicEmit(output);
      }
      h.endOfInput();
      expect(h.getSideOutput()).toEqual([]);
      return h.getOutput();
    }

    const cases: Array<[string, () => WindowAssigner<TimeWindow>, AggregateFunction<Event, any, unknown>]> = [
      ['tumbling count', () => TumblingEventTimeWindows.of(10_000), Count],
      ['tumbling sum with offset', () => TumblingEventTimeWindows.of(7_000, 1_500), Sum.of<Event>('amount')],
      ['sliding max', () => SlidingEventTimeWindows.of(10_000, 2_500), Max.of<Event>('amount')],
      ['session count', () => EventTimeSessionWindows.withGap(1_000), Count],
      ['sliding vector sum', () => SlidingEventTimeWindows.of(9_000, 3_000), VectorSum.of<Event>('v')],
      ['session top-3', () => EventTimeSessionWindows.withGap(3_000), TopK.of<Event>(3, vec(1, 2), 'v')],
    ];

    it.each(cases)('%s: any permutation within the watermark bound gives the same results', (_name, assigner, aggregate) => {
      const users = ['ada', 'bob', 'cy', 'dee', 'eve'];
      for (let seed = 1; seed <= 10; seed++) {
        const next = seededRandom(seed);
        const input: Event[] = Array.from({ length: 300 }, (_, index) => ({
          user: users[Math.floor(next() * users.length)],
          ts: Math.floor(next() * 100_000) - 20_000,
          amount: index,
          v: vec(index % 7, (index * 3) % 5),
        }));
        const inOrder = [...input].sort((a, b) => a.ts - b.ts);
        const expected = run(inOrder, assigner(), aggregate, 300);
        expect(expected.length).toBeGreaterThan(0);
        for (let permutation = 0; permutation < 3; permutation++) {
          const permuted = input
            .map((event) => ({ event, arrival: event.ts + next() * BOUND }))
            .sort((a, b) => a.arrival - b.arrival)
            .map(({ event }) => event);
          expect(run(permuted, assigner(), aggregate, 1 + Math.floor(next() * 40)), `seed ${seed}, permutation ${permutation}`).toEqual(expected);
        }
      }
    });
  });
});
