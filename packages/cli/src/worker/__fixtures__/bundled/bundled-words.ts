/**
 * A LocalEnvironment pipeline file outside the workers' code directory, for the signed-bundle test: lines split
 * into words, keyBy word, and the count and sink of word-count-functions.ts (a relative import, which the bundle
 * inlines: workers never read either file). Prints the per-operator record counts.
 */
import { LocalEnvironment } from '@sage/kernel';
import { CountWord, WriteCount } from '../../../__fixtures__/word-count-functions.js';

const lines = Array.from({ length: 400 }, (_, index) => `alpha beta${index % 3} gamma${index % 5}`);
const env = new LocalEnvironment('bundled-words', { handleSignals: false, batchSize: 50 });
env
  .fromBatch(lines, { name: 'lines' })
  .flatMap((line: string) => line.split(' '), { name: 'split', parallelism: 2 })
  .keyBy((word: string) => word)
  .map(CountWord, {}, { name: 'count', parallelism: 2 })
  .sink(WriteCount, { directory: process.env.SAGE_TEST_OUT ?? '.' }, { name: 'write', parallelism: 2 });
const result = await env.submit({ autostop: true });
const counts = Object.fromEntries(Object.entries(result.operators).map(([name, metrics]) => [name, metrics.recordsIn]));
console.log(JSON.stringify({ status: result.status, recordsIn: counts }));
