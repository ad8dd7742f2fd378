import { OperatorError, ValidationError } from '@sage/common';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../testing/virtual-clock.js';
import {
  countWindow,
  EventTimeSessionWindows,
  ProcessingTimeSessionWindows,
  SlidingEventTimeWindows,
  SlidingProcessingTimeWindows,
  TumblingEventTimeWindows,
  TumblingProcessingTimeWindows,
} from './assigners.js';
import { Count, Sum } from './built-in-aggregates.js';
import { MAX_WATERMARK, type TimeWindow } from './window.js';
import { type Collector, type ProcessWindowContext, ProcessWindowFunction, WindowFunctions } from './window-functions.js';
import { WindowOperator } from './window-operator.js';
import { WindowOperatorTestHarness } from './window-operator-test-harness.js';

interface Click {
  user: string;
  ts: number;
}

const click = (user: string, ts: number): Click => ({ user, ts });

/** Emits `key@[start,end):count`, so tests read which window fired with what. */
class Describe extends ProcessWindowFunction<Click, string, string, TimeWindow> {
  process(key: string, context: ProcessWindowContext<TimeWindow>, elements: readonly Click[], out: Collector<string>): void {
    out.collect(`${key}@[${context.window.start},${context.window.end}):${elements.length}`);
  }
}

function tumbling(options: { allowedLateness?: number; sideOutputLateData?: boolean } = {}) {
  return new WindowOperatorTestHarness<Click, string, string, TimeWindow>({
    name: 'clicks_per_user',
    assigner: TumblingEventTimeWindows.of(10_000),
    keySelector: (event) => event.user,
    function: WindowFunctions.process(new Describe()),
    ...options,
  });
}

function feed(harness: WindowOperatorTestHarness<Click, any, any, any>, events: Click[]): void {
  for (const event of events) harness.processElement(event, event.ts);
}

describe('WindowOperator: event-time firing (rule 5)', () => {
  it('emits nothing for empty input, even at end of input', () => {
    const harness = tumbling();
    harness.endOfInput();
    expect(harness.getOutput()).toEqual([]);
    expect(harness.getEmittedWatermarks()).toEqual([MAX_WATERMARK]);
  });

  it('fires a window when the watermark reaches its maxTimestamp, with maxTimestamp as the result timestamp', () => {
    const harness = tumbling();
    feed(harness, [click('a', 1_000), click('a', 9_999), click('b', 5_000), click('a', 10_000)]);
    harness.processWatermark(9_998);
    expect(harness.getOutput()).toEqual([]);
    harness.processWatermark(9_999);
    expect(harness.getOutput()).toEqual([
      { value: 'a@[0,10000):2', timestamp: 9_999 },
      { value: 'b@[0,10000):1', timestamp: 9_999 },
    ]);
    expect(harness.getEmittedWatermarks()).toEqual([9_998, 9_999]);
    expect(harness.operator.windowCount).toBe(1);
  });

  it('ignores watermarks that do not advance', () => {
    const harness = tumbling();
    harness.processWatermark(5);
    harness.processWatermark(5);
    harness.processWatermark(3);
    expect(harness.getEmittedWatermarks()).toEqual([5]);
    expect(harness.operator.currentWatermark).toBe(5);
  });

  it('handles one record and negative timestamps', () => {
    const harness = tumbling();
    feed(harness, [click('a', -1)]);
    harness.processWatermark(-1);
    expect(harness.getOutput()).toEqual([{ value: 'a@[-10000,0):1', timestamp: -1 }]);
  });
});

describe('WindowOperator: lateness (rule 5)', () => {
  it('drops and counts elements whose window is past maxTimestamp + allowedLateness, without a side output', () => {
    const harness = tumbling();
    feed(harness, [click('a', 1_000)]);
    harness.processWatermark(9_999);
    feed(harness, [click('a', 9_999), click('a', 3_000)]);
    expect(harness.operator.numLateRecordsDropped).toBe(2);
    expect(harness.getOutputValues()).toEqual(['a@[0,10000):1']);
    expect(harness.operator.windowCount).toBe(0);
  });

  it('sends late elements to the side output with their timestamps', () => {
    const harness = tumbling({ sideOutputLateData: true });
    harness.processWatermark(9_999);
    feed(harness, [click('a', 9_999), click('a', 10_000)]);
    expect(harness.getSideOutput()).toEqual([{ value: click('a', 9_999), timestamp: 9_999 }]);
    expect(harness.operator.numLateRecordsDropped).toBe(0);
  });

  it('accepts elements within allowed lateness, fires the window again for each, and cleans up at maxTimestamp + L', () => {
    const harness = tumbling({ allowedLateness: 2_000, sideOutputLateData: true });
    feed(harness, [click('a', 1_000)]);
    harness.processWatermark(9_999);
    expect(harness.getOutputValues()).toEqual(['a@[0,10000):1']);
    // Watermark past maxTimestamp (9_999) but below the cleanup time 11_999: accepted, fires again.
    harness.processWatermark(11_998);
    feed(harness, [click('a', 2_000)]);
    expect(harness.getOutput()).toEqual([
      { value: 'a@[0,10000):1', timestamp: 9_999 },
      { value: 'a@[0,10000):2', timestamp: 9_999 },
    ]);
    expect(harness.operator.windowCount).toBe(1);
    harness.processWatermark(11_999);
    expect(harness.operator.windowCount).toBe(0);
    // Now maxTimestamp + L <= watermark: late.
    feed(harness, [click('a', 3_000)]);
    expect(harness.getSideOutput()).toEqual([{ value: click('a', 3_000), timestamp: 3_000 }]);
    expect(harness.getOutput()).toHaveLength(2);
  });

  it('keeps an element of a sliding window as long as one of its windows is not late', () => {
    const harness = new WindowOperatorTestHarness<Click, string, string, TimeWindow>({
      name: 'sliding',
      assigner: SlidingEventTimeWindows.of(10, 5),
      keySelector: (event) => event.user,
      function: WindowFunctions.process(new Describe()),
      sideOutputLateData: true,
    });
    harness.processWatermark(9);
    feed(harness, [click('a', 7)]);
    expect(harness.getSideOutput()).toEqual([]);
    harness.endOfInput();
    expect(harness.getOutputValues()).toEqual(['a@[5,15):1']);
  });

  it('rejects negative allowed lateness and lateness on processing-time windows', () => {
    expect(() => tumbling({ allowedLateness: -1 })).toThrow(/window operator "clicks_per_user": allowedLateness .* got -1/);
    expect(
      () =>
        new WindowOperatorTestHarness({
          name: 'pt',
          assigner: TumblingProcessingTimeWindows.of(10),
          allowedLateness: 5,
          function: WindowFunctions.aggregate(Count),
        }),
    ).toThrow(ValidationError);
  });
});

describe('WindowOperator: sliding windows (rule 2)', () => {
  it('counts each element in size / slide windows', () => {
    const harness = new WindowOperatorTestHarness<Click, number>({
      name: 'sliding_count',
      assigner: SlidingEventTimeWindows.of(10, 5),
      function: WindowFunctions.aggregate(Count),
    });
    feed(harness, [click('a', 0), click('a', 4), click('a', 5), click('a', 12)]);
    harness.endOfInput();
    expect(harness.getOutput()).toEqual([
      { value: 2, timestamp: 4 },
      { value: 3, timestamp: 9 },
      { value: 2, timestamp: 14 },
      { value: 1, timestamp: 19 },
    ]);
  });
});

describe('WindowOperator: session windows (rule 3)', () => {
  function sessions() {
    return new WindowOperatorTestHarness<Click, string, string, TimeWindow>({
      name: 'sessions',
      assigner: EventTimeSessionWindows.withGap(5),
      keySelector: (event) => event.user,
      function: WindowFunctions.process(new Describe()),
    });
  }

  it('merges sessions that touch or overlap, also when a late-arriving element bridges two', () => {
    const harness = sessions();
    feed(harness, [click('a', 0), click('a', 5), click('a', 20), click('a', 12), click('b', 3), click('a', 16)]);
    harness.processWatermark(9);
    expect(harness.getOutputValues()).toEqual(['b@[3,8):1', 'a@[0,10):2']);
    // [12,17) and [20,25) are joined by [16,21).
    harness.endOfInput();
    expect(harness.getOutputValues()).toEqual(['b@[3,8):1', 'a@[0,10):2', 'a@[12,25):3']);
    expect(harness.operator.windowCount).toBe(0);
  });

  it('merges accumulators with AggregateFunction.merge', () => {
    const harness = new WindowOperatorTestHarness<Click, number, string, TimeWindow>({
      name: 'session_sum',
      assigner: EventTimeSessionWindows.withGap(5),
      keySelector: (event) => event.user,
      function: WindowFunctions.aggregate(Sum.of<Click>('ts')),
    });
    feed(harness, [click('a', 10), click('a', 1), click('a', 6)]);
    harness.endOfInput();
    expect(harness.getOutput()).toEqual([{ value: 17, timestamp: 14 }]);
  });

  it('fires a merged session again when a late element within allowed lateness extends it', () => {
    const harness = new WindowOperatorTestHarness<Click, string, string, TimeWindow>({
      name: 'late_sessions',
      assigner: EventTimeSessionWindows.withGap(5),
      keySelector: (event) => event.user,
      function: WindowFunctions.process(new Describe()),
      allowedLateness: 10,
    });
    feed(harness, [click('a', 0)]);
    harness.processWatermark(8);
    feed(harness, [click('a', 1), click('a', 3)]);
    expect(harness.getOutputValues()).toEqual(['a@[0,5):1', 'a@[0,6):2', 'a@[0,8):3']);
    // A session extended past the watermark waits for it again.
    feed(harness, [click('a', 7)]);
    expect(harness.getOutputValues()).toHaveLength(3);
    harness.endOfInput();
    expect(harness.getOutputValues()).toEqual(['a@[0,5):1', 'a@[0,6):2', 'a@[0,8):3', 'a@[0,12):4']);
    expect(harness.operator.windowCount).toBe(0);
  });
});

describe('WindowOperator: count windows (rule 6)', () => {
  it('countWindow(n) fires and purges every n elements per key', () => {
    const harness = new WindowOperatorTestHarness<Click, number, string>({
      name: 'count_tumbling',
      ...countWindow(2),
      keySelector: (event) => event.user,
      function: WindowFunctions.aggregate(Sum.of<Click>('ts')),
    });
    feed(harness, [click('a', 1), click('b', 10), click('a', 2), click('a', 3), click('b', 20), click('a', 4), click('a', 5)]);
    harness.endOfInput();
    expect(harness.getOutputValues()).toEqual([3, 30, 7]);
    expect(harness.getOutput()[0].timestamp).toBe(MAX_WATERMARK);
  });

  it('countWindow(n, s) fires every s elements over the last n', () => {
    const harness = new WindowOperatorTestHarness<Click, number, string>({
      name: 'count_sliding',
      ...countWindow(3, 2),
      keySelector: (event) => event.user,
      function: WindowFunctions.aggregate(Sum.of<Click>('ts')),
    });
    feed(harness, [1, 2, 3, 4, 5, 6, 7].map((ts) => click('a', ts)));
    expect(harness.getOutputValues()).toEqual([1 + 2, 2 + 3 + 4, 4 + 5 + 6]);
  });
});

describe('WindowOperator: end of input (rule 8)', () => {
  it('the final watermark fires every remaining event-time window, in time order', () => {
    const harness = tumbling();
    feed(harness, [click('b', 25_000), click('a', 1), click('a', 12_000), click('b', 2)]);
    harness.endOfInput();
    expect(harness.getOutputValues()).toEqual(['a@[0,10000):1', 'b@[0,10000):1', 'a@[10000,20000):1', 'b@[20000,30000):1']);
    expect(harness.operator.windowCount).toBe(0);
    harness.endOfInput();
    expect(harness.getOutput()).toHaveLength(4);
  });
});

describe('WindowOperator: window functions', () => {
  it('reduce keeps one element per window', () => {
    const harness = new WindowOperatorTestHarness<Click, Click, string>({
      name: 'latest',
      assigner: TumblingEventTimeWindows.of(10),
      keySelector: (event) => event.user,
      function: WindowFunctions.reduce<Click>((a, b) => (b.ts > a.ts ? b : a)),
    });
    feed(harness, [click('a', 3), click('a', 7), click('a', 5)]);
    harness.endOfInput();
    expect(harness.getOutput()).toEqual([{ value: click('a', 7), timestamp: 9 }]);
  });

  it('aggregate with a process window function receives the key, the window and the one result', () => {
    class WithKey extends ProcessWindowFunction<number, string, string, TimeWindow> {
      process(key: string, context: ProcessWindowContext<TimeWindow>, elements: readonly number[], out: Collector<string>): void {
        out.collect(`${key}:${context.window.end}:${elements.join(',')}:${context.currentWatermark}`);
      }
    }
    const harness = new WindowOperatorTestHarness<Click, string, string, TimeWindow>({
      name: 'counted',
      assigner: TumblingEventTimeWindows.of(10),
      keySelector: (event) => event.user,
      function: WindowFunctions.aggregate(Count, new WithKey()),
    });
    feed(harness, [click('a', 3), click('a', 7)]);
    harness.processWatermark(100);
    expect(harness.getOutputValues()).toEqual(['a:10:2:100']);
  });

  it('windowAll: without a key selector every element shares one window', () => {
    const harness = new WindowOperatorTestHarness<Click, number>({
      name: 'all',
      assigner: TumblingEventTimeWindows.of(10),
      function: WindowFunctions.aggregate(Count),
    });
    feed(harness, [click('a', 1), click('b', 2), click('c', 3)]);
    harness.endOfInput();
    expect(harness.getOutputValues()).toEqual([3]);
  });

  it('keys by value: equal object keys share windows', () => {
    const harness = new WindowOperatorTestHarness<Click, number, { user: string }>({
      name: 'object_keys',
      assigner: TumblingEventTimeWindows.of(10),
      keySelector: (event) => ({ user: event.user }),
      function: WindowFunctions.aggregate(Count),
    });
    feed(harness, [click('a', 1), click('a', 2)]);
    harness.endOfInput();
    expect(harness.getOutputValues()).toEqual([2]);
  });

  it('a window function that throws becomes an OperatorError naming the operator', () => {
    class Throws extends ProcessWindowFunction<Click, string> {
      process(): void {
        throw new Error('boom');
      }
    }
    const harness = new WindowOperatorTestHarness<Click, string>({
      name: 'fragile',
      assigner: TumblingEventTimeWindows.of(10),
      function: WindowFunctions.process(new Throws()),
    });
    feed(harness, [click('a', 1)]);
    expect(() => harness.endOfInput()).toThrow(OperatorError);
    expect(() => harness.endOfInput()).not.toThrow();
    const keyed = new WindowOperatorTestHarness<Click, number>({
      name: 'bad_key',
      assigner: TumblingEventTimeWindows.of(10),
      keySelector: () => {
        throw new Error('no key');
      },
      function: WindowFunctions.aggregate(Count),
    });
    expect(() => keyed.processElement(click('a', 1), 1)).toThrow(/operator "bad_key" failed on record .*: no key/);
  });
});

describe('WindowOperator: processing time', () => {
  it('fires processing-time windows on the injected clock', () => {
    const harness = new WindowOperatorTestHarness<string, number>({
      name: 'pt_count',
      assigner: TumblingProcessingTimeWindows.of(1_000),
      function: WindowFunctions.aggregate(Count),
    });
    harness.setProcessingTime(500);
    harness.processElement('x');
    harness.processElement('y');
    harness.setProcessingTime(998);
    expect(harness.getOutput()).toEqual([]);
    harness.setProcessingTime(1_200);
    harness.processElement('z');
    expect(harness.getOutput()).toEqual([{ value: 2, timestamp: 999 }]);
    harness.setProcessingTime(5_000);
    expect(harness.getOutputValues()).toEqual([2, 1]);
    expect(harness.operator.windowCount).toBe(0);
    expect(harness.clock.pending).toBe(0);
  });

  it('leaves processing-time windows alone at end of input, as Flink does, and close() cancels their timers', () => {
    const harness = new WindowOperatorTestHarness<string, number>({
      name: 'pt_end',
      assigner: TumblingProcessingTimeWindows.of(1_000),
      function: WindowFunctions.aggregate(Count),
    });
    harness.processElement('x');
    harness.endOfInput();
    expect(harness.getOutput()).toEqual([]);
    expect(harness.clock.pending).toBe(1);
    harness.close();
    expect(harness.clock.pending).toBe(0);
    harness.setProcessingTime(5_000);
    expect(harness.getOutput()).toEqual([]);
  });
});

describe('WindowOperator: processing-time sliding and session windows', () => {
  it('slides on the clock', () => {
    const harness = new WindowOperatorTestHarness<string, number>({
      name: 'pt_sliding',
      assigner: SlidingProcessingTimeWindows.of(10, 5),
      function: WindowFunctions.aggregate(Count),
    });
    harness.setProcessingTime(7);
    harness.processElement('x');
    harness.setProcessingTime(12);
    harness.processElement('y');
    harness.setProcessingTime(100);
    expect(harness.getOutput()).toEqual([
      { value: 1, timestamp: 9 },
      { value: 2, timestamp: 14 },
      { value: 1, timestamp: 19 },
    ]);
  });

  it('merges sessions on the clock', () => {
    const harness = new WindowOperatorTestHarness<string, number>({
      name: 'pt_sessions',
      assigner: ProcessingTimeSessionWindows.withGap(5),
      function: WindowFunctions.aggregate(Count),
    });
    harness.processElement('x');
    harness.setProcessingTime(3);
    harness.processElement('y');
    harness.setProcessingTime(6);
    expect(harness.getOutput()).toEqual([]);
    // [0,5) and [3,8) merged into [0,8): it fires when the clock reaches 7.
    harness.setProcessingTime(7);
    expect(harness.getOutput()).toEqual([{ value: 2, timestamp: 7 }]);
    expect(harness.operator.windowCount).toBe(0);
  });
});

describe('WindowOperator: output order', () => {
  it('emits the results a watermark fires before forwarding the watermark', () => {
    const events: string[] = [];
    const operator = new WindowOperator<Click, number, string>({
      name: 'ordered',
      assigner: TumblingEventTimeWindows.of(10),
      keySelector: (event) => event.user,
      function: WindowFunctions.aggregate(Count),
      output: { collect: (count, timestamp) => events.push(`${count}@${timestamp}`), emitWatermark: (watermark) => events.push(`wm ${watermark}`) },
      clock: new VirtualClock(),
    });
    operator.processElement(click('a', 1), 1);
    operator.processElement(click('a', 15), 15);
    operator.processWatermark(20);
    expect(events).toEqual(['1@9', '1@19', 'wm 20']);
  });
});

describe('WindowOperator: bad input', () => {
  it.each([Number.NaN, Number.POSITIVE_INFINITY, undefined, 1.5, '10'])('rejects the event timestamp %s naming the operator and the value', (timestamp) => {
    const harness = tumbling();
    let thrown: unknown;
    try {
      harness.processElement(click('a', 1), timestamp as number);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ValidationError);
    expect((thrown as Error).message).toContain('window operator "clicks_per_user": timestamp must be a finite integer');
    expect((thrown as Error).message).toContain(`got ${typeof timestamp === 'string' ? '"10"' : String(timestamp)}`);
  });

  it('rejects a NaN watermark', () => {
    expect(() => tumbling().processWatermark(Number.NaN)).toThrow(/window operator "clicks_per_user": watermark must be a number, got NaN/);
  });
});
