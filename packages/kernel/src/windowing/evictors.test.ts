import { describe, expect, it } from 'vitest';
import { GlobalWindows, TumblingEventTimeWindows } from './assigners.js';
import { Sum } from './built-in-aggregates.js';
import { CountEvictor, TimeEvictor } from './evictors.js';
import { CountTrigger } from './triggers.js';
import { GlobalWindow, type TimestampedValue } from './window.js';
import { type Collector, ProcessWindowFunction, WindowFunctions } from './window-functions.js';
import { WindowOperatorTestHarness } from './window-operator-test-harness.js';

const at = (...timestamps: number[]): TimestampedValue<number>[] => timestamps.map((timestamp) => ({ value: timestamp, timestamp }));
const ctx = { currentWatermark: 0, currentProcessingTime: 0 };
const window = GlobalWindow.INSTANCE;

class Values extends ProcessWindowFunction<number, string> {
  process(_key: unknown, _context: unknown, elements: readonly number[], out: Collector<string>): void {
    out.collect(elements.join(','));
  }
}

describe('CountEvictor', () => {
  it('keeps the last maxCount elements, before or after the function', () => {
    expect(CountEvictor.of(2).evictBefore(at(1, 2, 3), window, ctx)).toEqual(at(2, 3));
    expect(CountEvictor.of(2).evictAfter(at(1, 2, 3), window, ctx)).toEqual(at(1, 2, 3));
    expect(CountEvictor.of(5).evictBefore(at(1, 2), window, ctx)).toEqual(at(1, 2));
    expect(CountEvictor.of(2, true).evictBefore(at(1, 2, 3), window, ctx)).toEqual(at(1, 2, 3));
    expect(CountEvictor.of(2, true).evictAfter(at(1, 2, 3), window, ctx)).toEqual(at(2, 3));
    expect(() => CountEvictor.of(-1)).toThrow(/CountEvictor\.of: maxCount .* got -1/);
  });

  it('in the operator: the function sees what is left, and eviction persists', () => {
    const harness = new WindowOperatorTestHarness<number, string>({
      name: 'evicting',
      assigner: GlobalWindows.create(),
      trigger: CountTrigger.of(2),
      evictor: CountEvictor.of(3),
      function: WindowFunctions.process(new Values()),
    });
    for (let value = 1; value <= 6; value++) harness.processElement(value, value);
    expect(harness.getOutputValues()).toEqual(['1,2', '2,3,4', '4,5,6']);
  });

  it('evicts after the function with doEvictAfter', () => {
    const harness = new WindowOperatorTestHarness<number, number>({
      name: 'evict_after',
      assigner: GlobalWindows.create(),
      trigger: CountTrigger.of(2),
      evictor: CountEvictor.of(1, true),
      function: WindowFunctions.aggregate(Sum.of()),
    });
    for (let value = 1; value <= 4; value++) harness.processElement(value, value);
    // Fires over [1,2] (keeps 2), then over [2,3,4].
    expect(harness.getOutputValues()).toEqual([3, 9]);
  });
});

describe('TimeEvictor', () => {
  it('removes elements at or before newest - windowSize', () => {
    expect(TimeEvictor.of(10).evictBefore(at(0, 5, 10, 15), window, ctx)).toEqual(at(10, 15));
    expect(TimeEvictor.of(10).evictBefore(at(), window, ctx)).toEqual(at());
    expect(TimeEvictor.of(10, true).evictAfter(at(0, 15), window, ctx)).toEqual(at(15));
    expect(() => TimeEvictor.of(0)).toThrow(/TimeEvictor\.of: windowSize .* got 0/);
  });

  it('in the operator with an aggregate: only the recent elements are summed', () => {
    const harness = new WindowOperatorTestHarness<number, number>({
      name: 'recent',
      assigner: TumblingEventTimeWindows.of(100),
      evictor: TimeEvictor.of(20),
      function: WindowFunctions.aggregate(Sum.of()),
    });
    for (const timestamp of [1, 50, 75, 80, 90]) harness.processElement(timestamp, timestamp);
    harness.endOfInput();
    expect(harness.getOutputValues()).toEqual([75 + 80 + 90]);
  });
});
