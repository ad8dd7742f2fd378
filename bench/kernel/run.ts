/**
 * The kernel throughput benchmark: `pnpm bench:kernel` from the repo root (`--help` for the flags).
 * Sync case: SAGE vs a plain loop, RxJS and Node object-mode streams. Async case: SAGE vs LangChain.js batch.
 */
import { runLangChain } from './contenders/langchain.js';
import { runLoop } from './contenders/loop.js';
import { runNodeStreams } from './contenders/node-streams.js';
import { runRxjsGroupBy, runRxjsScan } from './contenders/rxjs.js';
import { runSage, runSageAsync } from './contenders/sage.js';
import { type Contender, format, type Measurement, measure } from './harness.js';
import { readOptions } from './options.js';
import { printHeader, printTable, printTargets } from './report.js';
import {
  type AsyncTally,
  expectedSync,
  makeInputs,
  makeRecords,
  type Rec,
  type SyncOutcome,
  verifyAsync,
  verifySync,
} from './workload.js';

const options = readOptions(process.argv.slice(2));
const { syncRecords, asyncRecords, langchainRecords, concurrency, warmup, rounds, only } = options;
const log = (line: string) => process.stderr.write(`${line}\n`);
const SAGE_SYNC = 'SAGE LocalEnvironment';
const SAGE_ASYNC = `SAGE async (concurrency ${concurrency})`;
const LANGCHAIN = `LangChain batch (maxConcurrency ${concurrency})`;

/** Keeps the contenders selected by --only (all by default) that have records to process. */
function selected<R>(entries: Array<[id: string, contender: Contender<R>]>): Contender<R>[] {
  return entries.filter(([id, c]) => (only === undefined || only.includes(id)) && c.records > 0).map(([, c]) => c);
}

/** map -> filter -> keyBy -> keyed count -> sink. Its records are garbage once it returns. */
async function syncCase(): Promise<Measurement[]> {
  let records: Rec[] = [];
  let expected: SyncOutcome | undefined;
  const contender = (name: string, run: () => Promise<SyncOutcome>): Contender<SyncOutcome> => ({
    name,
    records: syncRecords,
    run,
    verify: (outcome) => verifySync(name, outcome, expected!),
  });
  const contenders = selected([
    ['sage', contender(SAGE_SYNC, () => runSage(records))],
    ['loop', contender('plain loop + Map', () => runLoop(records))],
    ['rxjs-groupby', contender('RxJS (groupBy + scan per group)', () => runRxjsGroupBy(records))],
    ['rxjs-scan', contender('RxJS (one scan + Map)', () => runRxjsScan(records))],
    ['node-streams', contender('Node object-mode streams', () => runNodeStreams(records))],
  ]);
  if (contenders.length === 0) return [];
  records = makeRecords(syncRecords);
  expected = expectedSync(syncRecords);
  log(`sync case: ${format(syncRecords)} records, map -> filter -> keyBy -> keyed count -> sink`);
  return measure(contenders, warmup, rounds, log);
}

/** Three async stages resolving immediately; LangChain gets fewer records, being ~100x slower. */
async function asyncCase(): Promise<Measurement[]> {
  const sageInputs = makeInputs(asyncRecords);
  const langchainInputs = makeInputs(langchainRecords);
  const contenders = selected<AsyncTally>([
    [
      'sage-async',
      {
        name: SAGE_ASYNC,
        records: asyncRecords,
        run: () => runSageAsync(sageInputs, concurrency),
        verify: (tally) => verifyAsync(SAGE_ASYNC, tally, asyncRecords),
      },
    ],
    [
      'langchain',
      {
        name: LANGCHAIN,
        records: langchainRecords,
        run: () => runLangChain(langchainInputs, concurrency),
        verify: (tally) => verifyAsync(LANGCHAIN, tally, langchainRecords),
      },
    ],
  ]);
  if (contenders.length === 0) return [];
  log(`async case: 3 async stages; SAGE ${format(asyncRecords)} records, LangChain ${format(langchainRecords)} records`);
  return measure(contenders, warmup, rounds, log);
}

printHeader(options);
const syncResults = await syncCase();
const asyncResults = await asyncCase();
const find = (results: Measurement[], name: string) => results.find((m) => m.name === name);

printTable([
  { name: 'sync', results: syncResults, sage: SAGE_SYNC },
  { name: 'async', results: asyncResults, sage: SAGE_ASYNC },
]);
printTargets([
  {
    label: 'SAGE sync ≥ 2× Node object-mode streams',
    ratioName: 'SAGE ÷ streams',
    numerator: find(syncResults, SAGE_SYNC),
    denominator: find(syncResults, 'Node object-mode streams'),
    passes: (ratio) => ratio >= 2,
  },
  {
    label: 'SAGE sync within 5× of the plain loop',
    ratioName: 'loop ÷ SAGE',
    numerator: find(syncResults, 'plain loop + Map'),
    denominator: find(syncResults, SAGE_SYNC),
    passes: (ratio) => ratio <= 5,
  },
  {
    label: 'SAGE async ≥ 50× LangChain batch',
    ratioName: 'SAGE ÷ LangChain',
    numerator: find(asyncResults, SAGE_ASYNC),
    denominator: find(asyncResults, LANGCHAIN),
    passes: (ratio) => ratio >= 50,
  },
]);
