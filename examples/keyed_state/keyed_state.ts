/**
 * Keyed state: after `keyBy`, `this.ctx.state` belongs to the key of the current record. Per sensor, a
 * value state holds the sum and count (running average), a list state the last three readings, and a map
 * state the minimum and maximum. One function instance serves every sensor; the state never mixes them.
 *
 * Run: pnpm exec tsx examples/keyed_state/keyed_state.ts
 */
import { LocalEnvironment, MapFunction } from '@sage/kernel';

interface Reading {
  sensor: string;
  value: number;
}

class SensorSummary extends MapFunction<Reading, string> {
  execute({ sensor, value }: Reading): string {
    const totals = this.ctx.state.value('totals', { sum: 0, count: 0 });
    const recent = this.ctx.state.list<number>('recent');
    const extremes = this.ctx.state.map<'min' | 'max', number>('extremes');

    const { sum, count } = totals.get()!;
    totals.set({ sum: sum + value, count: count + 1 });

    const lastThree = [...recent.get(), value].slice(-3);
    recent.clear();
    for (const reading of lastThree) recent.add(reading);

    extremes.set('min', Math.min(value, extremes.get('min') ?? value));
    extremes.set('max', Math.max(value, extremes.get('max') ?? value));

    const average = (sum + value) / (count + 1);
    return (
      `${sensor}: ${value.toFixed(1)} | average ${average.toFixed(2)} | last ${lastThree.map((v) => v.toFixed(1)).join(', ')}` +
      ` | min ${extremes.get('min')!.toFixed(1)} max ${extremes.get('max')!.toFixed(1)}`
    );
  }
}

const readings: Reading[] = [
  { sensor: 'sensor-a', value: 20 },
  { sensor: 'sensor-b', value: 5 },
  { sensor: 'sensor-a', value: 22 },
  { sensor: 'sensor-a', value: 27 },
  { sensor: 'sensor-b', value: 3 },
  { sensor: 'sensor-a', value: 19 },
];

const env = new LocalEnvironment('keyed_state');
env
  .fromBatch(readings)
  .keyBy((reading) => reading.sensor)
  .map(SensorSummary)
  .print();
await env.submit({ autostop: true });
