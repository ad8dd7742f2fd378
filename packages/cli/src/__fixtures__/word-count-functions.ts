/**
 * The functions of the word-count pipeline files the remote tests run (`sage run --remote`, signed bundles):
 * a count per word in keyed state, and a sink writing each word's latest count to a file named after the word
 * (rewriting is idempotent, so the files end with the final counts whichever process wrote them).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type DataStream, type JobResult, MapFunction, SinkFunction } from '@sage/kernel';

export interface Counted {
  word: string;
  count: number;
}

export class CountWord extends MapFunction<string, Counted> {
  execute(word: string): Counted {
    const count = this.ctx.state.value<number>('count', 0);
    count.set(count.get()! + 1);
    return { word, count: count.get()! };
  }
}

export class WriteCount extends SinkFunction<Counted, { directory: string }> {
  execute({ word, count }: Counted): void {
    writeFileSync(join(this.config.directory, word), String(count));
  }
}

/** keyBy word -> count (2 instances) -> write (2 instances), into the directory SAGE_TEST_OUT. */
export function countWords(words: DataStream<string>): void {
  words
    .keyBy((word: string) => word)
    .map(CountWord, {}, { name: 'count', parallelism: 2 })
    .sink(WriteCount, { directory: process.env.SAGE_TEST_OUT ?? '.' }, { name: 'write', parallelism: 2 });
}

/** Prints the job's status and per-operator records in, as one JSON line the tests compare. */
export function printRecordCounts(result: JobResult): void {
  const counts = Object.fromEntries(Object.entries(result.operators).map(([name, metrics]) => [name, metrics.recordsIn]));
  console.log(JSON.stringify({ status: result.status, recordsIn: counts }));
}
