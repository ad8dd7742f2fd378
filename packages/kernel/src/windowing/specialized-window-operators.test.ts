import { OperatorError, seededRandom, ValidationError } from '@sage/common';
import { describe, expect, it } from 'vitest';
import { AlignedWindowOperator, alignedWindowRefusal } from './aligned-window-operator.js';
import { SessionWindowOperator, sessionWindowRefusal } from './session-window-operator.js';
import { EventTimeSessionWindows, SlidingEventTimeWindows, TumblingEventTimeWindows, type WindowAssigner } from './assigners.js';
import { Count, Sum } from './built-in-aggregates.js';
import { CountEvictor } from './evictors.js';
import { CountTrigger, EventTimeTrigger } from './triggers.js';
import type { TimeWindow } from './window.js';
import { type Collector, type ProcessWindowContext, ProcessWindowFunction, type WindowFunction, WindowFunctions } from './window-functions.js';
import { WindowOperator } from './window-operator.js';
import { WindowOperatorTestHarness } from './window-operator-test-harness.js';

interface Event {
  key: unknown;
  ts: number;
  amount: number;
}

class Described extends ProcessWindowFunction<number, string, unknown, TimeWindow> {
  process(key: unknown, context: ProcessWindowContext<TimeWindow>, results: readonly number[], out: Collector<string>): void {
    out.collect(`${typeof key === 'object' && key !== null ? JSON.stringify(key) : String(key)}@[${context.window.start},${context.window.end}) wm ${context.currentWatermark}: ${results.join()}`);
  }
}

const KEYS: unknown[] = ['a', 'b', 1, 2, 10, -0, 0, true, null, undefined, 'n:1', { user: 'a' }, { user: 'a' }, ['a'], 3n];

function harness(engine: 'typescript' | 'specialized', assigner: WindowAssigner<TimeWindow>, windowFunction: WindowFunction<Event, any, unknown, TimeWindow>, allowedLateness: number) {
  return new WindowOperatorTestHarness<Event, unknown, unknown, TimeWindow>({
    name: 'differential',
    assigner,
    keySelector: (event) => event.key,
    function: windowFunction,
    allowedLateness,
    sideOutputLateData: true,
    engine,
  });
}

/**
 * Runs random streams (disorder, records behind the watermark and within lateness, odd keys) through the general
 * core and the specialized operator, and expects the same results, side output, drops and window counts.
 */
function expectGeneralCoreResults(seed: number, rounds: number, makeAssigner: (int: (below: number) => number) => WindowAssigner<TimeWindow>, specialized: Function) {
  const random = seededRandom(seed);
  const int = (below: number) => Math.floor(random() * below);
  for (let round = 0; round < rounds; round++) {
    const assigner = makeAssigner(int);
    const allowedLateness = int(3) === 0 ? 0 : int(30);
    const functions: Array<WindowFunction<Event, any, unknown, TimeWindow>> = [
      WindowFunctions.aggregate(Sum.of<Event>('amount')),
      // Neither commutative nor associative: merges in another order would show.
      WindowFunctions.reduce<Event, string>((a, b) => ({ key: a.key, ts: a.ts, amount: (a.amount * 31 + b.amount) % 1_000_003 }), new Described() as never),
    ];
    const windowFunction = functions[round % functions.length]!;
    const general = harness('typescript', assigner, windowFunction, allowedLateness);
    const aligned = harness('specialized', assigner, windowFunction, allowedLateness);
    expect(aligned.operator).toBeInstanceOf(specialized);
    let watermark = -200 + int(100);
    for (let step = 0; step < 400; step++) {
      if (int(8) === 0) {
        watermark += int(25);
        general.processWatermark(watermark);
        aligned.processWatermark(watermark);
      } else {
        // Mostly ahead of the watermark, some within lateness, some behind it.
        const event = { key: KEYS[int(KEYS.length)], ts: watermark - 40 + int(100), amount: int(10) };
        general.processElement(event, event.ts);
        aligned.processElement(event, event.ts);
      }
      expect(aligned.operator.windowCount, `round ${round} step ${step}`).toBe(general.operator.windowCount);
    }
    general.endOfInput();
    aligned.endOfInput();
    const what = `round ${round}: ${JSON.stringify(assigner)}, lateness ${allowedLateness}`;
    expect(general.getOutput().length, what).toBeGreaterThan(0);
    expect(aligned.getOutput(), what).toEqual(general.getOutput());
    expect(aligned.getSideOutput(), what).toEqual(general.getSideOutput());
    expect(aligned.getEmittedWatermarks(), what).toEqual(general.getEmittedWatermarks());
    expect(aligned.operator.numLateRecordsDropped).toBe(general.operator.numLateRecordsDropped);
    expect(aligned.operator.windowCount).toBe(0);
  }
}

describe('AlignedWindowOperator', () => {
  it('gives the general core\'s results, side output, drops and window counts on random streams with disorder, lateness and odd keys', () => {
    expectGeneralCoreResults(11, 100, (int) => {
      const size = 1 + int(40);
      const slide = int(2) === 0 ? size : 1 + int(size);
      const offset = int(slide) * (int(2) === 0 ? 1 : -1);
      return slide === size ? TumblingEventTimeWindows.of(size, offset) : SlidingEventTimeWindows.of(size, slide, offset);
    }, AlignedWindowOperator);
  });

  it('fires a window that first got an element within allowed lateness once for that element, not again when the watermark moves on', () => {
    const h = harness('specialized', TumblingEventTimeWindows.of(10), WindowFunctions.aggregate(Count), 20);
    h.processWatermark(15);
    h.processElement({ key: 'a', ts: 3, amount: 0 }, 3);
    expect(h.getOutput()).toEqual([{ value: 1, timestamp: 9 }]);
    h.processWatermark(28);
    h.processElement({ key: 'a', ts: 4, amount: 0 }, 4);
    h.processWatermark(29);
    h.processElement({ key: 'a', ts: 5, amount: 0 }, 5);
    h.endOfInput();
    expect(h.getOutput()).toEqual([
      { value: 1, timestamp: 9 },
      { value: 2, timestamp: 9 },
    ]);
    expect(h.getSideOutput()).toEqual([{ value: { key: 'a', ts: 5, amount: 0 }, timestamp: 5 }]);
  });

  it('keeps a string key apart from an object key whose canonical form it spells', () => {
    const h = harness('specialized', TumblingEventTimeWindows.of(10), WindowFunctions.aggregate(Count), 0);
    for (const key of ['o:{"user":"a"}', { user: 'a' }, { user: 'a' }]) h.processElement({ key, ts: 1, amount: 0 }, 1);
    h.endOfInput();
    expect(h.getOutputValues()).toEqual([2, 1]);
  });

  it('runs tumbling and sliding event-time aggregates with the default trigger, and says why it cannot run the rest', () => {
    const aggregate = WindowFunctions.aggregate(Count);
    expect(alignedWindowRefusal({ assigner: SlidingEventTimeWindows.of(10, 5), function: aggregate, trigger: EventTimeTrigger.create() })).toBeUndefined();
    expect(alignedWindowRefusal({ assigner: EventTimeSessionWindows.withGap(5), function: aggregate })).toMatch(/EventTimeSessionWindows is not an event-time tumbling or sliding window/);
    expect(alignedWindowRefusal({ assigner: TumblingEventTimeWindows.of(10), function: aggregate, trigger: CountTrigger.of(2) })).toMatch(/custom trigger \(CountTrigger\)/);
    expect(alignedWindowRefusal({ assigner: TumblingEventTimeWindows.of(10), function: aggregate, evictor: CountEvictor.of(2) })).toMatch(/evictor/);
    expect(alignedWindowRefusal({ assigner: TumblingEventTimeWindows.of(10), function: WindowFunctions.process(new Described() as never) })).toMatch(/process window function/);
    const counted = new WindowOperatorTestHarness<Event, number>({ name: 'counted', assigner: TumblingEventTimeWindows.of(10) as never, trigger: CountTrigger.of(2) as never, function: aggregate as never, engine: 'specialized' });
    expect(counted.operator).toBeInstanceOf(WindowOperator);
    expect(
      () => new AlignedWindowOperator({ name: 'sessions', assigner: EventTimeSessionWindows.withGap(5) as never, function: aggregate as never, output: { collect() {} }, clock: { now: () => 0, schedule: () => () => {} } }),
    ).toThrow(ValidationError);
  });

  it('names the operator and the window when getResult fails, and the record when add fails', () => {
    const failing = (where: 'add' | 'getResult') =>
      harness('specialized', TumblingEventTimeWindows.of(10), WindowFunctions.aggregate({
        createAccumulator: () => 0,
        add: (event: Event, total: number) => {
          if (where === 'add' && event.amount < 0) throw new Error('negative amount');
          return total + event.amount;
        },
        getResult: (total: number) => {
          if (where === 'getResult') throw new Error('no result');
          return total;
        },
        merge: (a: number, b: number) => a + b,
      }), 0);
    const adding = failing('add');
    expect(() => adding.processElement({ key: 'a', ts: 1, amount: -1 }, 1)).toThrow(OperatorError);
    expect(() => adding.processElement({ key: 'a', ts: 1, amount: -1 }, 1)).toThrow(/differential.*negative amount|negative amount/);
    const resulting = failing('getResult');
    resulting.processElement({ key: 'a', ts: 1, amount: 1 }, 1);
    let thrown: unknown;
    try {
      resulting.endOfInput();
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(OperatorError);
    expect(String((thrown as Error).message)).toContain('differential');
    expect(String((thrown as Error).message)).toContain('TimeWindow{start=0, end=10}');
  });
});

describe('SessionWindowOperator', () => {
  it('gives the general core\'s results, side output, drops and window counts on random streams with merges, disorder, lateness and odd keys', () => {
    expectGeneralCoreResults(23, 100, (int) => EventTimeSessionWindows.withGap(1 + int(30)), SessionWindowOperator);
  });

  it('fires a fired session again at its new end when a record within lateness grows it, before its lateness would have ended', () => {
    const h = harness('specialized', EventTimeSessionWindows.withGap(10), WindowFunctions.aggregate(Count), 100);
    h.processElement({ key: 'a', ts: 0, amount: 0 }, 0);
    h.processWatermark(9);
    // Fired at 9; now waiting for the end of its lateness (109). The record grows it to [0, 18).
    h.processElement({ key: 'a', ts: 8, amount: 0 }, 8);
    h.processWatermark(17);
    h.processElement({ key: 'b', ts: 20, amount: 0 }, 20);
    h.processWatermark(40);
    expect(h.getOutput()).toEqual([
      { value: 1, timestamp: 9 },
      { value: 2, timestamp: 17 },
      { value: 1, timestamp: 29 },
    ]);
    expect(h.operator.windowCount).toBe(2);
    h.processWatermark(200);
    expect(h.operator.windowCount).toBe(0);
  });

  it('merges the sessions a record bridges, in start order, and runs only event-time session aggregates', () => {
    const concat = WindowFunctions.reduce<Event>((a, b) => ({ key: a.key, ts: a.ts, amount: a.amount * 10 + b.amount }));
    const h = harness('specialized', EventTimeSessionWindows.withGap(5), concat, 0);
    for (const [ts, amount] of [[20, 3], [0, 1], [10, 2], [5, 4], [15, 5]] as const) h.processElement({ key: 'k', ts, amount }, ts);
    h.endOfInput();
    // ts 5 bridges [0,5) (1) and [10,15) (2): 12, then its 4; ts 15 bridges that and [20,25) (3): 1243, then its 5.
    expect(h.getOutput()).toEqual([{ value: { key: 'k', ts: 0, amount: 12_435 }, timestamp: 24 }]);
    expect(sessionWindowRefusal({ assigner: EventTimeSessionWindows.withGap(5), function: WindowFunctions.aggregate(Count) })).toBeUndefined();
    expect(sessionWindowRefusal({ assigner: TumblingEventTimeWindows.of(5), function: WindowFunctions.aggregate(Count) })).toMatch(/TumblingEventTimeWindows is not an event-time session window/);
  });
});
