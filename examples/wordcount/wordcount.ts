/**
 * Word count: sentences are split into words (flatMap), stop words and blanks dropped (filter), the words
 * partitioned by themselves (keyBy) and counted with keyed state (map). The sink keeps the latest count of
 * each word and prints them all in its close(), which runs after the last record: most frequent first.
 *
 * Run: pnpm exec tsx examples/wordcount/wordcount.ts
 */
import { LocalEnvironment, MapFunction, SinkFunction } from '@sage/kernel';

const SENTENCES = [
  'The quick brown fox jumps over the lazy dog',
  'The lazy dog sleeps in the sun',
  'A quick brown dog outpaces a quick red fox',
  'Dataflow makes the pipeline easy to read',
];
const STOP_WORDS = new Set(['a', 'the', 'in', 'to', 'over']);

interface WordCount {
  word: string;
  count: number;
}

/** Counts per word: `this.ctx.state` is scoped to the key of the record being processed. */
class CountWords extends MapFunction<string, WordCount> {
  execute(word: string): WordCount {
    const count = this.ctx.state.value<number>('count', 0);
    count.set((count.get() ?? 0) + 1);
    return { word, count: count.get()! };
  }
}

class PrintCounts extends SinkFunction<WordCount> {
  private readonly counts = new Map<string, number>();

  execute({ word, count }: WordCount): void {
    this.counts.set(word, count);
  }

  override close(): void {
    const sorted = [...this.counts].sort(([wordA, countA], [wordB, countB]) => countB - countA || wordA.localeCompare(wordB));
    for (const [word, count] of sorted) console.log(`${word}: ${count}`);
  }
}

const env = new LocalEnvironment('wordcount');
env
  .fromBatch(SENTENCES)
  .flatMap((sentence) => sentence.toLowerCase().split(/\W+/))
  .filter((word) => word.length > 0 && !STOP_WORDS.has(word))
  .keyBy((word) => word)
  .map(CountWords)
  .sink(PrintCounts);
await env.submit({ autostop: true });
