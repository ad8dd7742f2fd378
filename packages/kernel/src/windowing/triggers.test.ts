import { describe, expect, it } from 'vitest';
import { EventTimeSessionWindows, GlobalWindows, TumblingEventTimeWindows, TumblingProcessingTimeWindows } from './assigners.js';
import { Count, Sum } from './built-in-aggregates.js';
import { ContinuousEventTimeTrigger, CountTrigger, EventTimeTrigger, isFire, isPurge, ProcessingTimeTrigger, PurgingTrigger, Trigger, type TriggerContext, TriggerResult } from './triggers.js';
import type { Window } from './window.js';
import { WindowFunctions } from './window-functions.js';
import { WindowOperatorTestHarness } from './window-operator-test-harness.js';

/** Returns the result that the element itself names: drives each TriggerResult through the operator. */
class ScriptedTrigger extends Trigger<{ result: TriggerResult; value: number }, Window> {
  onElement(element: { result: TriggerResult }): TriggerResult {
    return element.result;
  }
  onEventTime(): TriggerResult {
    return TriggerResult.CONTINUE;
  }
  onProcessingTime(): TriggerResult {
    return TriggerResult.CONTINUE;
  }
  clear(): void {}
}

describe('TriggerResult', () => {
  it('FIRE and FIRE_AND_PURGE fire; PURGE and FIRE_AND_PURGE purge', () => {
    expect([TriggerResult.CONTINUE, TriggerResult.FIRE, TriggerResult.PURGE, TriggerResult.FIRE_AND_PURGE].map((result) => [isFire(result), isPurge(result)])).toEqual([
      [false, false],
      [true, false],
      [false, true],
      [true, true],
    ]);
  });

  it('drives the operator: CONTINUE keeps, FIRE emits and keeps, PURGE drops, FIRE_AND_PURGE emits and drops', () => {
    const harness = new WindowOperatorTestHarness<{ result: TriggerResult; value: number }, number>({
      name: 'scripted',
      assigner: GlobalWindows.create(),
      trigger: new ScriptedTrigger(),
      function: WindowFunctions.aggregate(Sum.of<{ result: TriggerResult; value: number }>('value')),
    });
    const steps: Array<[TriggerResult, number]> = [
      [TriggerResult.CONTINUE, 1],
      [TriggerResult.FIRE, 2],
      [TriggerResult.CONTINUE, 4],
      [TriggerResult.PURGE, 8],
      [TriggerResult.CONTINUE, 16],
      [TriggerResult.FIRE_AND_PURGE, 32],
      [TriggerResult.FIRE, 64],
    ];
    for (const [result, value] of steps) harness.processElement({ result, value }, 0);
    expect(harness.getOutputValues()).toEqual([3, 48, 64]);
  });
});

describe('EventTimeTrigger', () => {
  it('registers a timer at maxTimestamp and fires only for that time', () => {
    const timers: number[] = [];
    const ctx = { currentWatermark: 0, registerEventTimeTimer: (time: number) => timers.push(time) } as unknown as TriggerContext;
    const window = { id: 'w', maxTimestamp: 9 };
    expect(EventTimeTrigger.create().onElement(null, 3, window, ctx)).toBe(TriggerResult.CONTINUE);
    expect(timers).toEqual([9]);
    expect(EventTimeTrigger.create().onEventTime(8, window)).toBe(TriggerResult.CONTINUE);
    expect(EventTimeTrigger.create().onEventTime(9, window)).toBe(TriggerResult.FIRE);
    expect(EventTimeTrigger.create().onElement(null, 3, window, { ...ctx, currentWatermark: 9 })).toBe(TriggerResult.FIRE);
  });
});

describe('CountTrigger and PurgingTrigger', () => {
  it('CountTrigger fires every n elements and keeps the contents', () => {
    const harness = new WindowOperatorTestHarness<number, number>({
      name: 'count_trigger',
      assigner: GlobalWindows.create(),
      trigger: CountTrigger.of(2),
      function: WindowFunctions.aggregate(Count),
    });
    for (let index = 0; index < 5; index++) harness.processElement(index, 0);
    expect(harness.getOutputValues()).toEqual([2, 4]);
  });

  it('PurgingTrigger turns FIRE into FIRE_AND_PURGE', () => {
    const harness = new WindowOperatorTestHarness<number, number>({
      name: 'purging',
      assigner: GlobalWindows.create(),
      trigger: PurgingTrigger.of(CountTrigger.of(2)),
      function: WindowFunctions.aggregate(Count),
    });
    for (let index = 0; index < 5; index++) harness.processElement(index, 0);
    expect(harness.getOutputValues()).toEqual([2, 2]);
  });

  it('PurgingTrigger over the event-time trigger drops contents after firing, so a late element fires alone', () => {
    const harness = new WindowOperatorTestHarness<number, number>({
      name: 'purging_event_time',
      assigner: TumblingEventTimeWindows.of(10),
      trigger: PurgingTrigger.of(EventTimeTrigger.create()),
      allowedLateness: 5,
      function: WindowFunctions.aggregate(Count),
    });
    harness.processElement(1, 1);
    harness.processElement(2, 2);
    harness.processWatermark(9);
    harness.processElement(3, 3);
    expect(harness.getOutputValues()).toEqual([2, 1]);
  });

  it('CountTrigger counts across merged session windows', () => {
    const harness = new WindowOperatorTestHarness<number, number>({
      name: 'session_count',
      assigner: EventTimeSessionWindows.withGap(5),
      trigger: CountTrigger.of(3),
      function: WindowFunctions.aggregate(Count),
    });
    harness.processElement(0, 0);
    harness.processElement(20, 20);
    expect(harness.getOutputValues()).toEqual([]);
    harness.processElement(10, 10);
    harness.processElement(15, 15);
    // [0,5), [10,15) and [15,20)/[20,25) : the last two merge with [10,15) into one session of 3 elements.
    expect(harness.getOutputValues()).toEqual([3]);
  });

  it('rejects a non-positive count', () => {
    expect(() => CountTrigger.of(0)).toThrow(/CountTrigger\.of: maxCount .* got 0/);
  });
});

describe('ProcessingTimeTrigger', () => {
  it('fires at the window end on the clock', () => {
    const trigger = ProcessingTimeTrigger.create();
    expect(trigger.onProcessingTime()).toBe(TriggerResult.FIRE);
    const harness = new WindowOperatorTestHarness<number, number>({
      name: 'pt',
      assigner: TumblingProcessingTimeWindows.of(100),
      function: WindowFunctions.aggregate(Count),
    });
    harness.processElement(1);
    harness.setProcessingTime(99);
    expect(harness.getOutput()).toEqual([{ value: 1, timestamp: 99 }]);
  });
});

describe('ContinuousEventTimeTrigger', () => {
  it('fires every interval of event time while the window is open, then at its end', () => {
    const harness = new WindowOperatorTestHarness<number, number>({
      name: 'early_results',
      assigner: TumblingEventTimeWindows.of(100),
      trigger: ContinuousEventTimeTrigger.of(30),
      function: WindowFunctions.aggregate(Count),
    });
    harness.processElement(1, 5);
    harness.processWatermark(29);
    expect(harness.getOutputValues()).toEqual([]);
    harness.processWatermark(30);
    harness.processElement(2, 40);
    harness.processWatermark(60);
    harness.processWatermark(95);
    harness.processWatermark(99);
    expect(harness.getOutputValues()).toEqual([1, 2, 2, 2]);
    expect(harness.operator.windowCount).toBe(0);
  });

  it('merges across sessions and rejects a bad interval', () => {
    const harness = new WindowOperatorTestHarness<number, number>({
      name: 'early_sessions',
      assigner: EventTimeSessionWindows.withGap(50),
      trigger: ContinuousEventTimeTrigger.of(20),
      function: WindowFunctions.aggregate(Count),
    });
    harness.processElement(1, 0);
    harness.processElement(2, 30);
    harness.endOfInput();
    // Early firings at 20, 40 and 60 of the merged session [0,80), then its end at 79.
    expect(harness.getOutputValues()).toEqual([2, 2, 2, 2]);
    expect(() => ContinuousEventTimeTrigger.of(-1)).toThrow(/ContinuousEventTimeTrigger\.of: interval .* got -1/);
  });

  it('a trigger that cannot merge is refused for session windows', () => {
    expect(
      () =>
        new WindowOperatorTestHarness<{ result: TriggerResult; value: number }, number>({
          name: 'no_merge',
          assigner: EventTimeSessionWindows.withGap(5),
          trigger: new ScriptedTrigger(),
          function: WindowFunctions.aggregate(Count),
        }),
    ).toThrow(/window operator "no_merge": trigger ScriptedTrigger cannot be used with merging windows/);
  });
});
