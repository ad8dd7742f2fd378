import { ValidationError } from '@sage/common';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../testing/virtual-clock.js';
import { BoundedOutOfOrdernessWatermarks, TimestampsAndWatermarks, WatermarkCombiner, type WatermarkOutput, WatermarkStrategy } from './watermarks.js';
import { MAX_WATERMARK, MIN_WATERMARK } from './window.js';

function recordingOutput() {
  const events: Array<number | 'idle' | 'active'> = [];
  const output: WatermarkOutput = {
    emitWatermark: (watermark) => events.push(watermark),
    markIdle: () => events.push('idle'),
    markActive: () => events.push('active'),
  };
  return { events, output };
}

describe('bounded-out-of-orderness watermarks (rule 4)', () => {
  it('emits maxSeen - bound - 1, never going back', () => {
    const generator = new BoundedOutOfOrdernessWatermarks<number>(4_000);
    const { events, output } = recordingOutput();
    generator.onPeriodicEmit(output);
    expect(events).toEqual([MIN_WATERMARK]);
    generator.onEvent(0, 10_000, output);
    generator.onEvent(0, 7_000, output);
    generator.onPeriodicEmit(output);
    generator.onEvent(0, 12_000, output);
    generator.onPeriodicEmit(output);
    expect(events).toEqual([MIN_WATERMARK, 10_000 - 4_000 - 1, 12_000 - 4_000 - 1]);
  });

  it('forMonotonousTimestamps emits maxSeen - 1', () => {
    const { events, output } = recordingOutput();
    const generator = WatermarkStrategy.forMonotonousTimestamps<number>().createWatermarkGenerator({ clock: new VirtualClock() });
    generator.onEvent(0, 50, output);
    generator.onPeriodicEmit(output);
    expect(events).toEqual([49]);
  });

  it('a strategy assigns timestamps and checks them, naming the operator and the value', () => {
    const { events, output } = recordingOutput();
    const strategy = WatermarkStrategy.forBoundedOutOfOrderness<{ ts: number }>(4_000).withTimestampAssigner((event) => event.ts);
    const operator = new TimestampsAndWatermarks('clicks', strategy, output, new VirtualClock());
    expect(operator.processElement({ ts: 20_000 })).toBe(20_000);
    operator.onPeriodicEmit();
    operator.endOfInput();
    expect(events).toEqual([15_999, MAX_WATERMARK]);
    expect(() => operator.processElement({ ts: Number.NaN })).toThrow(ValidationError);
    expect(() => operator.processElement({ ts: Number.NaN })).toThrow(/operator "clicks": timestamp .* got NaN \(record \{"ts":null\}\)/);
    expect(() => operator.processElement({ ts: Number.POSITIVE_INFINITY })).toThrow(/got Infinity/);
    expect(() => operator.processElement({ ts: '5' as unknown as number })).toThrow(/got "5"/);
    const throwing = new TimestampsAndWatermarks('broken', WatermarkStrategy.forMonotonousTimestamps<string>().withTimestampAssigner(() => {
      throw new Error('no ts');
    }), output, new VirtualClock());
    expect(() => throwing.processElement('x')).toThrow(/operator "broken" failed on record "x": no ts/);
    const withoutAssigner = new TimestampsAndWatermarks('plain', WatermarkStrategy.forMonotonousTimestamps<string>(), output, new VirtualClock());
    expect(withoutAssigner.processElement('a', 7)).toBe(7);
    expect(() => withoutAssigner.processElement('a')).toThrow(/operator "plain": timestamp .* got undefined/);
  });

  it('rejects a negative bound and a non-positive idle timeout', () => {
    expect(() => WatermarkStrategy.forBoundedOutOfOrderness(-1)).toThrow(/forBoundedOutOfOrderness: bound .* got -1/);
    expect(() => WatermarkStrategy.forMonotonousTimestamps().withIdleness(0)).toThrow(/withIdleness: idleTimeout .* got 0/);
  });
});

describe('idleness', () => {
  it('marks the input idle after the timeout without elements, and active on the next element', () => {
    const clock = new VirtualClock();
    const { events, output } = recordingOutput();
    const generator = WatermarkStrategy.forBoundedOutOfOrderness<number>(0).withIdleness(1_000).createWatermarkGenerator({ clock });
    generator.onEvent(0, 100, output);
    clock.advance(999);
    generator.onPeriodicEmit(output);
    clock.advance(1);
    generator.onPeriodicEmit(output);
    generator.onPeriodicEmit(output);
    generator.onEvent(0, 200, output);
    generator.onPeriodicEmit(output);
    expect(events).toEqual([99, 'idle', 'active', 199]);
  });
});

describe('WatermarkCombiner (rule 4)', () => {
  it('takes the minimum over the inputs and only moves forward', () => {
    const { events, output } = recordingOutput();
    const combiner = new WatermarkCombiner(2, output);
    combiner.inputWatermark(0, 10);
    expect(events).toEqual([]);
    combiner.inputWatermark(1, 5);
    combiner.inputWatermark(1, 20);
    combiner.inputWatermark(0, 8);
    combiner.inputWatermark(0, 30);
    expect(events).toEqual([5, 10, 20]);
    expect(combiner.currentWatermark).toBe(20);
  });

  it('leaves idle inputs out, and goes idle when all inputs are', () => {
    const { events, output } = recordingOutput();
    const combiner = new WatermarkCombiner(3, output);
    combiner.inputWatermark(0, 10);
    combiner.inputWatermark(1, 20);
    combiner.markIdle(2);
    expect(events).toEqual([10]);
    combiner.markIdle(0);
    expect(events).toEqual([10, 20]);
    combiner.markIdle(1);
    expect(events).toEqual([10, 20, 'idle']);
    expect(combiner.isIdle).toBe(true);
    // Input 2 comes back behind the output: it does not hold the output back until it catches up.
    combiner.inputWatermark(2, 15);
    combiner.inputWatermark(1, 40);
    expect(events).toEqual([10, 20, 'idle', 'active', 40]);
    combiner.inputWatermark(2, 50);
    combiner.inputWatermark(1, 60);
    expect(events).toEqual([10, 20, 'idle', 'active', 40, 50]);
  });

  it('continues from a snapshot where the first combiner left off (a partition that moved to another worker)', () => {
    const first = new WatermarkCombiner(2, recordingOutput().output);
    first.inputWatermark(0, 10);
    first.inputWatermark(1, 20);
    first.markIdle(1);
    first.inputWatermark(0, 30);
    const snapshot = JSON.parse(JSON.stringify(first.snapshot()));
    const { events, output } = recordingOutput();
    const second = new WatermarkCombiner(2, output);
    second.restore(snapshot);
    expect(second.currentWatermark).toBe(30);
    // Input 1 is still idle: input 0 alone moves the output; a stale watermark of input 0 moves nothing.
    second.inputWatermark(0, 25);
    second.inputWatermark(0, 40);
    expect(events).toEqual([40]);
    expect(() => new WatermarkCombiner(3, output).restore(snapshot)).toThrow(ValidationError);
  });

  it('rejects bad input with a typed error', () => {
    const { output } = recordingOutput();
    expect(() => new WatermarkCombiner(0, output)).toThrow(/WatermarkCombiner: inputCount .* got 0/);
    const combiner = new WatermarkCombiner(1, output);
    expect(() => combiner.inputWatermark(1, 5)).toThrow(/no input 1/);
    expect(() => combiner.inputWatermark(0, Number.NaN)).toThrow(/got NaN/);
  });
});
