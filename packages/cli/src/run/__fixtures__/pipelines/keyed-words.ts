/**
 * A pipeline file written for a LocalEnvironment, run by the `sage run --remote` test both ways: 3,000 words,
 * a map on two instances, keyBy word, a count in keyed state, and a sink writing each word's latest count to
 * a file named after the word in SAGE_TEST_OUT (rewriting is idempotent, so the files end with the final
 * counts). Prints the job's per-operator record counts.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LocalEnvironment, MapFunction, SinkFunction } from '@sage/kernel';

interface Counted {
  word: string;
  count: number;
}

class CountWord extends MapFunction<string, Counted> {
  execute(word: string): Counted {
    const count = this.ctx.state.value<number>('count', 0);
    count.set(count.get()! + 1);
    return { word, count: count.get()! };
  }
}

class WriteCount extends SinkFunction<Counted, { directory: string }> {
  execute({ word, count }: Counted): void {
    writeFileSync(join(this.config.directory, word), String(count));
  }
}

const words = Array.from({ length: 3_000 }, (_, index) => `w${(index * 7) % 23}`);
const env = new LocalEnvironment('keyed-words', { handleSignals: false, batchSize: 100 });
env
  .fromBatch(words, { name: 'words' })
  .map((word: string) => word.toUpperCase(), { name: 'upper', parallelism: 2 })
  .keyBy((word: string) => word)
  .map(CountWord, {}, { name: 'count', parallelism: 2 })
  .sink(WriteCount, { directory: process.env.SAGE_TEST_OUT ?? '.' }, { name: 'write', parallelism: 2 });
const result = await env.submit({ autostop: true });
const counts = Object.fromEntries(Object.entries(result.operators).map(([name, metrics]) => [name, metrics.recordsIn]));
console.log(JSON.stringify({ status: result.status, recordsIn: counts }));
