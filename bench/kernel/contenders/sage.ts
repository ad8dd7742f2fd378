import { LocalEnvironment, MapFunction } from '@sage/kernel';
import { AsyncTally, type Counted, keep, keyOf, project, type Rec, step1, step2, step3, type SyncOutcome, type Tagged, Tally } from '../workload.js';

/** The keyed stage: a running count per key, in SAGE keyed state. */
class KeyedCount extends MapFunction<Tagged, Counted> {
  execute(tagged: Tagged): Counted {
    const count = this.ctx.state.value<number>('count', 0);
    const next = count.get()! + 1;
    count.set(next);
    return { key: tagged.key, count: next };
  }
}

function environment(): LocalEnvironment {
  return new LocalEnvironment('bench', { logLevel: 'warn', handleSignals: false });
}

/** SAGE sync: fromBatch -> map -> filter -> keyBy -> map (keyed state) -> sink, default settings. */
export async function runSage(records: readonly Rec[]): Promise<SyncOutcome> {
  const env = environment();
  const tally = new Tally();
  env
    .fromBatch(records as Rec[])
    .map(project)
    .filter(keep)
    .keyBy(keyOf)
    .map(KeyedCount)
    .sink((c) => tally.add(c), { name: 'tally' });
  const result = await env.submit({ autostop: true });
  if (result.status !== 'finished') throw new Error(`SAGE job ended ${result.status}`);
  if (result.operators.tally!.recordsIn !== tally.total) throw new Error('SAGE sink metrics disagree with the tally');
  return tally;
}

/** SAGE async: three async maps, each with `concurrency` records in flight (ordered, the default). */
export async function runSageAsync(inputs: readonly number[], concurrency: number): Promise<AsyncTally> {
  const env = environment();
  const tally = new AsyncTally();
  env
    .fromBatch(inputs as number[])
    .map(step1, { concurrency })
    .map(step2, { concurrency })
    .map(step3, { concurrency })
    .sink((x) => tally.add(x));
  const result = await env.submit({ autostop: true });
  if (result.status !== 'finished') throw new Error(`SAGE job ended ${result.status}`);
  return tally;
}
