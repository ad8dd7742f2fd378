import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../testing/virtual-clock.js';
import { TumblingEventTimeWindows } from './assigners.js';
import { Count } from './built-in-aggregates.js';
import { TimestampsAndWatermarks, WatermarkCombiner, WatermarkStrategy } from './watermarks.js';
import { WindowFunctions } from './window-functions.js';
import { WindowOperatorTestHarness } from './window-operator-test-harness.js';

interface Reading {
  sensor: string;
  ts: number;
}

/** Two sources, each with its own watermark generator, feeding one window operator through a combiner. */
function twoInputs(idleTimeout?: number) {
  const clock = new VirtualClock();
  const harness = new WindowOperatorTestHarness<Reading, number, string>({
    name: 'readings_per_sensor',
    assigner: TumblingEventTimeWindows.of(10),
    keySelector: (reading) => reading.sensor,
    function: WindowFunctions.aggregate(Count),
    clock,
  });
  const combiner = new WatermarkCombiner(2, {
    emitWatermark: (watermark) => harness.processWatermark(watermark),
    markIdle() {},
    markActive() {},
  });
  let strategy = WatermarkStrategy.forBoundedOutOfOrderness<Reading>(2).withTimestampAssigner((reading) => reading.ts);
  if (idleTimeout !== undefined) strategy = strategy.withIdleness(idleTimeout);
  const inputs = [0, 1].map(
    (index) =>
      new TimestampsAndWatermarks(`source_${index}`, strategy, {
        emitWatermark: (watermark) => combiner.inputWatermark(index, watermark),
        markIdle: () => combiner.markIdle(index),
        markActive: () => combiner.markActive(index),
      }, clock),
  );
  const send = (index: number, reading: Reading) => harness.processElement(reading, inputs[index].processElement(reading));
  const tick = (ms: number) => {
    clock.advance(ms);
    for (const input of inputs) input.onPeriodicEmit();
  };
  return { harness, send, tick };
}

describe('window operator behind a watermark combiner (rule 4)', () => {
  it('fires only when the minimum over both inputs passes the window', () => {
    const { harness, send, tick } = twoInputs();
    send(0, { sensor: 'a', ts: 1 });
    send(0, { sensor: 'a', ts: 30 });
    tick(100);
    // Input 1 has seen nothing: the combined watermark stays at MIN_WATERMARK.
    expect(harness.getOutput()).toEqual([]);
    send(1, { sensor: 'b', ts: 5 });
    send(1, { sensor: 'b', ts: 12 });
    tick(100);
    // min(30 - 2 - 1, 12 - 2 - 1) = 9: the window [0,10) fires.
    expect(harness.getOutput()).toEqual([
      { value: 1, timestamp: 9 },
      { value: 1, timestamp: 9 },
    ]);
  });

  it('an idle input no longer holds the watermark back', () => {
    const { harness, send, tick } = twoInputs(1_000);
    send(0, { sensor: 'a', ts: 1 });
    send(1, { sensor: 'b', ts: 2 });
    tick(10);
    send(0, { sensor: 'a', ts: 50 });
    tick(500);
    expect(harness.getOutput()).toEqual([]);
    send(0, { sensor: 'a', ts: 55 });
    // Input 1 has sent nothing for 1 000 ms: it is idle, and input 0's watermark (55 - 2 - 1) counts alone.
    tick(500);
    expect(harness.getOutputValues()).toEqual([1, 1]);
    expect(harness.operator.currentWatermark).toBe(52);
    // Input 1 comes back behind the watermark: its element is late, and the watermark does not go back.
    send(1, { sensor: 'b', ts: 3 });
    expect(harness.operator.numLateRecordsDropped).toBe(1);
    expect(harness.operator.currentWatermark).toBe(52);
  });
});
