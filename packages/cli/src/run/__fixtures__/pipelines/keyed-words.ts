/**
 * A pipeline file written for a LocalEnvironment, run by the `sage run --remote` test both ways: 3,000 words,
 * a map on two instances, keyBy word, a count in keyed state, and a sink writing each word's latest count to
 * a file named after the word in SAGE_TEST_OUT. Prints the job's per-operator record counts.
 */
import { LocalEnvironment } from '@sage/kernel';
import { countWords, printRecordCounts } from '../../../__fixtures__/word-count-functions.js';

const words = Array.from({ length: 3_000 }, (_, index) => `w${(index * 7) % 23}`);
const env = new LocalEnvironment('keyed-words', { handleSignals: false, batchSize: 100 });
countWords(
  env
    .fromBatch(words, { name: 'words' })
    .map((word: string) => word.toUpperCase(), { name: 'upper', parallelism: 2 }),
);
printRecordCounts(await env.submit({ autostop: true }));
