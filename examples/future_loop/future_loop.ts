/**
 * Feedback loop: `env.fromFuture(name)` is a placeholder stream that a later stream fills with
 * `fillFuture`. New counters (map0) and counters coming around the loop (map1) meet in one coMap, which
 * adds each counter's step; the ones still below the limit go around again, the others are printed. The
 * job ends when the sources have ended and no record is left in the loop.
 *
 * Run: pnpm exec tsx examples/future_loop/future_loop.ts
 */
import { BaseCoMapFunction, LocalEnvironment } from '@sage/kernel';

const LIMIT = 10;

interface Counter {
  name: string;
  step: number;
  value: number;
  rounds: number;
}

class Step extends BaseCoMapFunction<Counter> {
  /** A counter entering the loop. */
  map0(counter: Counter): Counter {
    return advance(counter);
  }

  /** A counter coming back around the loop. */
  map1(counter: Counter): Counter {
    return advance(counter);
  }
}

function advance(counter: Counter): Counter {
  return { ...counter, value: counter.value + counter.step, rounds: counter.rounds + 1 };
}

const env = new LocalEnvironment('future_loop');
const feedback = env.fromFuture<Counter>('feedback');
const counters = env.fromBatch<Counter>([
  { name: 'one', step: 1, value: 0, rounds: 0 },
  { name: 'three', step: 3, value: 0, rounds: 0 },
  { name: 'five', step: 5, value: 0, rounds: 0 },
  { name: 'twelve', step: 12, value: 0, rounds: 0 },
]);
const stepped = counters.connect(feedback).coMap(Step);
stepped.filter((counter) => counter.value < LIMIT).fillFuture(feedback);
stepped
  .filter((counter) => counter.value >= LIMIT)
  .sink((counter) => {
    console.log(`counter "${counter.name}" (step ${counter.step}) finished at ${counter.value} after ${counter.rounds} round${counter.rounds === 1 ? '' : 's'}`);
  });
await env.submit({ autostop: true });
