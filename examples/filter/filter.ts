/**
 * filter: keep the records a predicate accepts. A FilterFunction class takes its settings from a config
 * object (here a minimum temperature); a plain function works for one-off conditions.
 *
 * Run: pnpm exec tsx examples/filter/filter.ts
 */
import { FilterFunction, LocalEnvironment } from '@sage/kernel';
import { TerminalSink } from '@sage/libs';

interface Reading {
  city: string;
  celsius: number;
}

interface AtLeastConfig {
  minimum: number;
}

/** Keeps readings at or above `config.minimum`. */
class AtLeast extends FilterFunction<Reading, AtLeastConfig> {
  execute(reading: Reading): boolean {
    return reading.celsius >= this.config.minimum;
  }
}

const readings: Reading[] = [
  { city: 'Oslo', celsius: 12 },
  { city: 'Cairo', celsius: 35 },
  { city: 'Lima', celsius: 22 },
  { city: 'Madrid', celsius: 31 },
  { city: 'Reykjavik', celsius: 8 },
  { city: 'Delhi', celsius: 38 },
];

const env = new LocalEnvironment('filter');
env
  .fromBatch(readings)
  .filter(AtLeast, { minimum: 30 })
  .filter((reading) => reading.city !== 'Cairo')
  .sink(TerminalSink, { format: (reading: Reading) => `${reading.city} is hot: ${reading.celsius}°C` });
await env.submit({ autostop: true });
