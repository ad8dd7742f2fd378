import { type SageError, ValidationError } from '@sage/common';
import { describe, expect, it } from 'vitest';
import {
  countWindow,
  EventTimeSessionWindows,
  GlobalWindows,
  ProcessingTimeSessionWindows,
  SlidingEventTimeWindows,
  SlidingProcessingTimeWindows,
  TumblingEventTimeWindows,
  TumblingProcessingTimeWindows,
} from './assigners.js';
import { CountEvictor } from './evictors.js';
import { CountTrigger, EventTimeTrigger, NeverTrigger, ProcessingTimeTrigger, PurgingTrigger } from './triggers.js';
import { GlobalWindow, TimeWindow } from './window.js';

const noClock = { currentProcessingTime: 0 };
const ids = (windows: { id: string }[]) => windows.map((window) => window.id);

describe('TumblingEventTimeWindows (rule 1)', () => {
  it('assigns each timestamp to the one aligned window [start, start + size)', () => {
    const assigner = TumblingEventTimeWindows.of(10_000);
    expect(ids(assigner.assignWindows(null, 0, noClock))).toEqual(['0,10000']);
    expect(ids(assigner.assignWindows(null, 9_999, noClock))).toEqual(['0,10000']);
    expect(ids(assigner.assignWindows(null, 10_000, noClock))).toEqual(['10000,20000']);
    expect(ids(assigner.assignWindows(null, -1, noClock))).toEqual(['-10000,0']);
    expect(assigner.isEventTime).toBe(true);
    expect(assigner.getDefaultTrigger()).toBeInstanceOf(EventTimeTrigger);
  });

  it('shifts the alignment by the offset', () => {
    const assigner = TumblingEventTimeWindows.of(10, 3);
    expect(ids(assigner.assignWindows(null, 2, noClock))).toEqual(['-7,3']);
    expect(ids(assigner.assignWindows(null, 3, noClock))).toEqual(['3,13']);
    expect(ids(assigner.assignWindows(null, -8, noClock))).toEqual(['-17,-7']);
  });
});

describe('SlidingEventTimeWindows (rule 2)', () => {
  it('puts each element in ceil(size / slide) windows when slide divides size', () => {
    const assigner = SlidingEventTimeWindows.of(10, 5);
    for (const timestamp of [-7, 0, 4, 5, 13]) {
      expect(assigner.assignWindows(null, timestamp, noClock)).toHaveLength(Math.ceil(10 / 5));
    }
    expect(ids(assigner.assignWindows(null, 7, noClock))).toEqual(['5,15', '0,10']);
    expect(ids(assigner.assignWindows(null, -3, noClock))).toEqual(['-5,5', '-10,0']);
  });

  it('puts each element in at most ceil(size / slide) windows otherwise, as Flink does', () => {
    const assigner = SlidingEventTimeWindows.of(10, 3);
    expect(ids(assigner.assignWindows(null, 0, noClock))).toEqual(['0,10', '-3,7', '-6,4', '-9,1']);
    expect(ids(assigner.assignWindows(null, 1, noClock))).toEqual(['0,10', '-3,7', '-6,4']);
    for (let timestamp = -20; timestamp < 20; timestamp++) {
      const windows = assigner.assignWindows(null, timestamp, noClock) as TimeWindow[];
      expect(windows.length).toBeLessThanOrEqual(Math.ceil(10 / 3));
      expect(windows.length).toBeGreaterThanOrEqual(Math.floor(10 / 3));
      for (const window of windows) expect(window.start <= timestamp && timestamp < window.end).toBe(true);
    }
  });

  it('hands nearby elements the same window objects, in arrays of their own, and stays right across many starts', () => {
    const sliding = SlidingEventTimeWindows.of(10, 5);
    const first = sliding.assignWindows(null, 7, noClock);
    const second = sliding.assignWindows(null, 8, noClock);
    expect(second[0]).toBe(first[0]);
    first.length = 0;
    expect(ids(sliding.assignWindows(null, 9, noClock))).toEqual(['5,15', '0,10']);
    const tumbling = TumblingEventTimeWindows.of(10);
    for (let timestamp = -1_000; timestamp < 1_000; timestamp += 7) {
      const start = Math.floor(timestamp / 10) * 10;
      expect(ids(tumbling.assignWindows(null, timestamp, noClock))).toEqual([`${start},${start + 10}`]);
      const lastStart = Math.floor(timestamp / 5) * 5;
      expect(ids(sliding.assignWindows(null, timestamp, noClock))).toEqual([`${lastStart},${lastStart + 10}`, `${lastStart - 5},${lastStart + 5}`]);
    }
  });

  it('accepts slide equal to size (tumbling) and an offset', () => {
    expect(ids(SlidingEventTimeWindows.of(10, 10).assignWindows(null, 12, noClock))).toEqual(['10,20']);
    expect(ids(SlidingEventTimeWindows.of(10, 5, 2).assignWindows(null, 2, noClock))).toEqual(['2,12', '-3,7']);
  });
});

describe('EventTimeSessionWindows (rule 3)', () => {
  it('opens [ts, ts + gap) per element', () => {
    expect(ids(EventTimeSessionWindows.withGap(5).assignWindows(null, 12, noClock))).toEqual(['12,17']);
  });

  it('merges windows that overlap or touch, and only those', () => {
    const merges: Array<[string[], string]> = [];
    EventTimeSessionWindows.withGap(5).mergeWindows([new TimeWindow(10, 15), new TimeWindow(0, 5), new TimeWindow(5, 8), new TimeWindow(20, 25), new TimeWindow(24, 26)], (toBeMerged, result) =>
      merges.push([ids(toBeMerged), result.id]),
    );
    expect(merges).toEqual([
      [['0,5', '5,8'], '0,8'],
      [['20,25', '24,26'], '20,26'],
    ]);
  });
});

describe('processing-time assigners', () => {
  it('use the processing time, not the record timestamp', () => {
    const now = { currentProcessingTime: 12 };
    expect(ids(TumblingProcessingTimeWindows.of(10).assignWindows(null, 999, now))).toEqual(['10,20']);
    expect(ids(SlidingProcessingTimeWindows.of(10, 5).assignWindows(null, 999, now))).toEqual(['10,20', '5,15']);
    expect(ids(ProcessingTimeSessionWindows.withGap(3).assignWindows(null, 999, now))).toEqual(['12,15']);
    expect(TumblingProcessingTimeWindows.of(10).isEventTime).toBe(false);
    expect(TumblingProcessingTimeWindows.of(10).getDefaultTrigger()).toBeInstanceOf(ProcessingTimeTrigger);
  });
});

describe('GlobalWindows and countWindow (rule 6)', () => {
  it('puts everything in the global window, which never fires by default', () => {
    expect(GlobalWindows.create().assignWindows(null, 0, noClock)).toEqual([GlobalWindow.INSTANCE]);
    expect(GlobalWindows.create().getDefaultTrigger()).toBeInstanceOf(NeverTrigger);
  });

  it('countWindow(n) is a purging count trigger; countWindow(n, s) a count trigger with a count evictor', () => {
    const tumbling = countWindow(3);
    expect(tumbling.assigner).toBeInstanceOf(GlobalWindows);
    expect(tumbling.trigger).toBeInstanceOf(PurgingTrigger);
    expect(tumbling.evictor).toBeUndefined();
    const sliding = countWindow(3, 1);
    expect(sliding.trigger).toEqual(CountTrigger.of(1));
    expect(sliding.evictor).toEqual(CountEvictor.of(3));
  });
});

describe('bad input', () => {
  const cases: Array<[string, () => unknown, RegExp]> = [
    ['negative tumbling size', () => TumblingEventTimeWindows.of(-5), /TumblingEventTimeWindows\.of: size .* got -5/],
    ['zero tumbling size', () => TumblingEventTimeWindows.of(0), /got 0/],
    ['NaN size', () => TumblingProcessingTimeWindows.of(Number.NaN), /TumblingProcessingTimeWindows\.of: size .* got NaN/],
    ['offset as large as size', () => TumblingEventTimeWindows.of(10, 10), /offset .* got 10/],
    ['negative sliding size', () => SlidingEventTimeWindows.of(-10, 5), /SlidingEventTimeWindows\.of: size .* got -10/],
    ['slide larger than size', () => SlidingEventTimeWindows.of(5, 10), /SlidingEventTimeWindows\.of: slide must not be larger than size \(5\), got 10/],
    ['processing slide larger than size', () => SlidingProcessingTimeWindows.of(5, 6), /SlidingProcessingTimeWindows\.of: slide/],
    ['zero slide', () => SlidingEventTimeWindows.of(10, 0), /slide .* got 0/],
    ['negative gap', () => EventTimeSessionWindows.withGap(-1), /EventTimeSessionWindows\.withGap: gap .* got -1/],
    ['infinite gap', () => ProcessingTimeSessionWindows.withGap(Number.POSITIVE_INFINITY), /got Infinity/],
    ['count window of 0', () => countWindow(0), /countWindow: size .* got 0/],
    ['count slide larger than size', () => countWindow(2, 3), /countWindow: slide must not be larger than size \(2\), got 3/],
  ];
  it.each(cases)('%s is a ValidationError naming the assigner and the value', (_name, build, message) => {
    let thrown: unknown;
    try {
      build();
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ValidationError);
    expect((thrown as SageError).code).toBe('SAGE_VALIDATION');
    expect((thrown as Error).message).toMatch(message);
  });
});
