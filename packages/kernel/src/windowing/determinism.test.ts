import { seededRandom as random } from '@sage/common';
import { describe, expect, it } from 'vitest';
import { EventTimeSessionWindows, SlidingEventTimeWindows, TumblingEventTimeWindows, type WindowAssigner } from './assigners.js';
import { Count, Mean, Sum } from './built-in-aggregates.js';
import { BoundedOutOfOrdernessWatermarks } from './watermarks.js';
import type { TimeWindow } from './window.js';
import { type Collector, type ProcessWindowContext, ProcessWindowFunction, type WindowFunction, WindowFunctions } from './window-functions.js';
import { type StreamRecord, WindowOperatorTestHarness } from './window-operator-test-harness.js';

interface Event {
  user: string;
  ts: number;
  amount: number;
}

const BOUND = 4_000;

function events(next: () => number, count: number): Event[] {
  const users = ['ada', 'bob', 'cy', 'dee', 'eve'];
  return Array.from({ length: count }, (_, index) => ({
    user: users[Math.floor(next() * users.length)],
    ts: Math.floor(next() * 100_000) - 20_000,
    amount: index,
  }));
}

/**
 * A permutation whose disorder stays within the bound: each element arrives at `ts + u * BOUND` (u in [0, 1)),
 * so every element arrives before any element more than BOUND ms newer.
 */
function permuteWithinBound(input: Event[], next: () => number): Event[] {
  return input
    .map((event) => ({ event, arrival: event.ts + next() * BOUND }))
    .sort((a, b) => a.arrival - b.arrival)
    .map(({ event }) => event);
}

class SortedAmounts extends ProcessWindowFunction<Event, string, string, TimeWindow> {
  process(key: string, context: ProcessWindowContext<TimeWindow>, elements: readonly Event[], out: Collector<string>): void {
    const amounts = elements.map((element) => element.amount).sort((a, b) => a - b);
    out.collect(`${key}@${context.window.id}:${amounts.join(',')}`);
  }
}

/** Feeds the events with a bounded-out-of-orderness watermark emitted every few elements, then ends the input. */
function run<Out>(input: Event[], assigner: WindowAssigner<TimeWindow>, fn: WindowFunction<Event, Out, string, TimeWindow>, next: () => number) {
  const harness = new WindowOperatorTestHarness<Event, Out, string, TimeWindow>({
    name: 'determinism',
    assigner,
    keySelector: (event) => event.user,
    function: fn,
    sideOutputLateData: true,
  });
  const generator = new BoundedOutOfOrdernessWatermarks<Event>(BOUND);
  const output = { emitWatermark: (watermark: number) => harness.processWatermark(watermark), markIdle() {}, markActive() {} };
  for (const event of input) {
    harness.processElement(event, event.ts);
    generator.onEvent(event, event.ts, output);
    if (next() < 0.3) generator.onPeriodicEmit(output);
  }
  harness.endOfInput();
  expect(harness.getSideOutput()).toEqual([]);
  return harness.getOutput();
}

describe('determinism (rule 7)', () => {
  const cases: Array<[string, () => WindowAssigner<TimeWindow>, WindowFunction<Event, unknown, string, TimeWindow>]> = [
    ['tumbling count', () => TumblingEventTimeWindows.of(10_000), WindowFunctions.aggregate(Count)],
    ['tumbling sum with offset', () => TumblingEventTimeWindows.of(7_000, 1_500), WindowFunctions.aggregate(Sum.of<Event>('amount'))],
    ['sliding mean', () => SlidingEventTimeWindows.of(10_000, 2_500), WindowFunctions.aggregate(Mean.of<Event>('amount'))],
    ['sliding process', () => SlidingEventTimeWindows.of(9_000, 3_000), WindowFunctions.process(new SortedAmounts())],
    ['session process', () => EventTimeSessionWindows.withGap(3_000), WindowFunctions.process(new SortedAmounts())],
    ['session max by reduce', () => EventTimeSessionWindows.withGap(1_000), WindowFunctions.reduce<Event>((a, b) => (b.amount > a.amount ? b : a))],
  ];

  it.each(cases)('%s: any permutation within the watermark bound gives the same results', (_name, assigner, fn) => {
    for (let seed = 1; seed <= 25; seed++) {
      const next = random(seed);
      const input = events(next, 300);
      const inOrder = [...input].sort((a, b) => a.ts - b.ts);
      const expected: StreamRecord<unknown>[] = run(inOrder, assigner(), fn, next);
      expect(expected.length).toBeGreaterThan(0);
      for (let permutation = 0; permutation < 4; permutation++) {
        const permuted = permuteWithinBound(input, next);
        expect(permuted).not.toEqual(inOrder);
        expect(run(permuted, assigner(), fn, next), `seed ${seed}, permutation ${permutation}`).toEqual(expected);
      }
    }
  });
});
