/**
 * A LocalEnvironment pipeline file outside the workers' code directory, for the signed-bundle test: lines split
 * into words, keyBy word, and the count and sink of word-count-functions.ts (a relative import, which the bundle
 * inlines: workers never read either file). Prints the per-operator record counts.
 */
import { LocalEnvironment } from '@sage/kernel';
import { countWords, printRecordCounts } from '../../../__fixtures__/word-count-functions.js';

const lines = Array.from({ length: 400 }, (_, index) => `alpha beta${index % 3} gamma${index % 5}`);
const env = new LocalEnvironment('bundled-words', { handleSignals: false, batchSize: 50 });
countWords(
  env
    .fromBatch(lines, { name: 'lines' })
    .flatMap((line: string) => line.split(' '), { name: 'split', parallelism: 2 }),
);
printRecordCounts(await env.submit({ autostop: true }));
