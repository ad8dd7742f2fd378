/**
 * Parallelism: `{ parallelism: n }` runs n instances of an operator. Records are spread round-robin over
 * the 4 instances of `square`; after `keyBy` (key: the square's last digit), every record of a key goes
 * to the same one of the 3 instances of `by_key`. Each record carries the instances that handled it, the
 * sink tallies them, and the job's metrics (per operator, instances summed) come from `submit`.
 *
 * Run: pnpm exec tsx examples/parallelism/parallelism.ts
 */
import { LocalEnvironment, MapFunction, SinkFunction } from '@sage/kernel';

interface Tagged {
  value: number;
  squareInstance?: number;
  keyInstance?: number;
}

/** Squares the value and notes which of the parallel instances did it. */
class Square extends MapFunction<number, Tagged> {
  execute(value: number): Tagged {
    return { value: value * value, squareInstance: this.ctx.parallelIndex };
  }
}

class NoteKeyInstance extends MapFunction<Tagged, Tagged> {
  execute(record: Tagged): Tagged {
    return { ...record, keyInstance: this.ctx.parallelIndex };
  }
}

class Tally extends SinkFunction<Tagged> {
  private readonly squares = new Map<number, number>();
  private readonly keysByInstance = new Map<number, Set<number>>();

  execute(record: Tagged): void {
    this.squares.set(record.squareInstance!, (this.squares.get(record.squareInstance!) ?? 0) + 1);
    const keys = this.keysByInstance.get(record.keyInstance!) ?? new Set<number>();
    this.keysByInstance.set(record.keyInstance!, keys.add(record.value % 10));
  }

  override close(): void {
    for (const [instance, count] of [...this.squares].sort(([a], [b]) => a - b)) {
      console.log(`square instance ${instance}: ${count} records`);
    }
    for (const [instance, keys] of [...this.keysByInstance].sort(([a], [b]) => a - b)) {
      console.log(`by_key instance ${instance}: keys ${[...keys].sort((a, b) => a - b).join(', ')}`);
    }
  }
}

const env = new LocalEnvironment('parallelism');
env
  .fromBatch(Array.from({ length: 100 }, (_, index) => index + 1), { name: 'numbers' })
  .map(Square, undefined, { name: 'square', parallelism: 4 })
  .keyBy((record) => record.value % 10)
  .map(NoteKeyInstance, undefined, { name: 'by_key', parallelism: 3 })
  .sink(Tally, undefined, { name: 'tally' });
const result = await env.submit({ autostop: true });
for (const metrics of Object.values(result.operators)) {
  console.log(`${metrics.name}: parallelism ${metrics.parallelism}, records in ${metrics.recordsIn}, out ${metrics.recordsOut}`);
}
console.log(`job ${result.jobName}: ${result.status}`);
