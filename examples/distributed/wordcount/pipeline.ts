/**
 * Word count that runs in this process or on `sage worker` processes, unchanged: lines are split into words
 * (flatMap), the words partitioned by themselves (keyBy) and counted in keyed state (map), and a sink writes each
 * word's latest count to a file named after the word. On workers the sink runs there, so the counts go to a
 * directory every process can reach (WORDCOUNT_OUTPUT, default a folder in the system temp directory); rewriting
 * a word's file is idempotent, so a batch re-run after a worker dies leaves the same file. Once the job has
 * finished, this process reads the files and prints the ten most frequent words.
 *
 * Run here:       sage run examples/distributed/wordcount/pipeline.ts
 * Run on workers: sage run examples/distributed/wordcount/pipeline.ts --remote   (see README.md)
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalEnvironment, MapFunction, SinkFunction } from '@sage/kernel';

const SENTENCES = [
  'The quick brown fox jumps over the lazy dog',
  'The lazy dog sleeps in the sun',
  'A quick brown dog outpaces a quick red fox',
  'Dataflow makes the pipeline easy to read',
  'Workers share the partitions of the pipeline',
  'Each word is counted by one worker at a time',
  'Keyed state lives in Redis between batches',
];
const LINES = Array.from({ length: 700 }, (_, index) => SENTENCES[(index * 3) % SENTENCES.length]!);
const OUTPUT = process.env.WORDCOUNT_OUTPUT ?? join(tmpdir(), 'sage-wordcount');

interface WordCount {
  word: string;
  count: number;
}

/** Counts per word: `this.ctx.state` is scoped to the key of the record being processed. */
class CountWords extends MapFunction<string, WordCount> {
  execute(word: string): WordCount {
    const count = this.ctx.state.value<number>('count', 0);
    count.set(count.get()! + 1);
    return { word, count: count.get()! };
  }
}

/** Each word's latest count in `<directory>/<word>`; one partition writes a given word, in order. */
class WriteCounts extends SinkFunction<WordCount, { directory: string }> {
  override open(): void {
    mkdirSync(this.config.directory, { recursive: true });
  }

  execute({ word, count }: WordCount): void {
    writeFileSync(join(this.config.directory, word), String(count));
  }
}

const env = new LocalEnvironment('wordcount');
env
  .fromBatch(LINES, { name: 'lines' })
  .flatMap((line: string) => line.toLowerCase().split(/\W+/).filter((word) => word.length > 0), { name: 'words', parallelism: 2 })
  .keyBy((word: string) => word)
  .map(CountWords, {}, { name: 'count', parallelism: 2 })
  .sink(WriteCounts, { directory: OUTPUT }, { name: 'write', parallelism: 2 });
const result = await env.submit({ autostop: true });

const counts = readdirSync(OUTPUT).map((word) => ({ word, count: Number(readFileSync(join(OUTPUT, word), 'utf8')) }));
rmSync(OUTPUT, { recursive: true, force: true });
counts.sort((a, b) => b.count - a.count || a.word.localeCompare(b.word));
for (const { word, count } of counts.slice(0, 10)) console.log(`${word}: ${count}`);
console.log(`${counts.length} distinct words, ${result.operators.count!.recordsIn} counted`);
