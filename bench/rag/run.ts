/**
 * The RAG benchmark: `pnpm bench:rag` from the repo root (`--help` for the flags). Ingest of the bundled
 * World Factbook corpus and the bundled questions answered end to end with the extractive generator, SAGE vs
 * the same steps written with LangChain.js, same embedder (USE-lite, uncached), in the same run, with the raw
 * embedder time for the same texts as the floor.
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MemoryVectorStore } from '@langchain/classic/vectorstores/memory';
import { acquireDatabase, countChunks, createEmbedder, UseLiteEmbedder } from '@sage/libs/rag';
import { type Contender, type Measurement, measure } from '../kernel/harness.js';
import { directQuestions } from './contenders/direct.js';
import { langchainBatch, langchainChain, langchainChunks, langchainIngest, langchainInvoke, SageEmbeddings } from './contenders/langchain.js';
import { COLLECTION, sageIngest, sageQuestions } from './contenders/sage.js';
import { readOptions } from './options.js';
import { printHeader, printIngest, printQuestions, printRatios, printTargets } from './report.js';
import { type Answered, CHUNK_OVERLAP, CHUNK_SIZE, CORPUS_DIR, EMBED_BATCH, loadQuestions, type Scores, score, verifyAnswers } from './workload.js';

const options = readOptions(process.argv.slice(2));
const { concurrency, workers, warmup, rounds, questionRounds } = options;
const log = (line: string) => process.stderr.write(`${line}\n`);

const NAMES = {
  rawIngest: `raw embedder (batches of ${EMBED_BATCH})`,
  sageIngest: 'SAGE buildIndex',
  langchainIngest: 'LangChain MemoryVectorStore',
  rawQueries: 'raw embedder (one query per call)',
  rawQueriesBatched: `raw embedder (batches of ${EMBED_BATCH}, info)`,
  direct: 'direct calls, no framework (sequential)',
  sage1: 'SAGE pipeline (concurrency 1)',
  sageN: `SAGE pipeline (concurrency ${concurrency})`,
  sageWorkers: `SAGE pipeline (concurrency ${concurrency}, embedder on ${workers} threads)`,
  langchainInvoke: 'LangChain invoke (sequential)',
  langchainBatch: `LangChain batch (maxConcurrency ${concurrency})`,
};

// One embedder instance per contender, none cached: no contender gets another's vectors for free.
const sageEmbedder = new UseLiteEmbedder({ batchSize: EMBED_BATCH });
const langchainEmbedder = new UseLiteEmbedder({ batchSize: EMBED_BATCH });
const rawEmbedder = new UseLiteEmbedder({ batchSize: EMBED_BATCH });
// The same model on worker threads (`createEmbedder({ workers })`), one copy per thread, also uncached.
const sagePoolEmbedder = createEmbedder({ provider: 'use-lite', batchSize: EMBED_BATCH, workers, cache: false });
await Promise.all([sageEmbedder.init(), langchainEmbedder.init(), rawEmbedder.init(), sagePoolEmbedder.init()]);
const embeddings = new SageEmbeddings(langchainEmbedder);

const questions = loadQuestions(options.questions);
const chunkTexts = (await langchainChunks()).map((doc) => doc.pageContent);
const sageCount = await countChunks({ directory: CORPUS_DIR, collection: 'unused', chunking: { splitter: 'recursive', chunkSize: CHUNK_SIZE, chunkOverlap: CHUNK_OVERLAP } });
const notes: string[] = [];
if (sageCount.chunks !== chunkTexts.length) {
  notes.push(`chunk counts differ: SAGE Chunker ${sageCount.chunks}, LangChain splitter ${chunkTexts.length} (each side's chunks/s uses its own count)`);
}

printHeader(options, { documents: sageCount.documents, chunks: chunkTexts.length });

// ---- Ingest warm-up, outside the clock: every ingest contender once over 3 documents (an ingest of the whole
// corpus takes ~20 s on 2 cores, so a full-size warm-up round would cost a minute for no better numbers).
{
  const warmDir = mkdtempSync(join(tmpdir(), 'sage-rag-bench-docs-'));
  const warmDb = mkdtempSync(join(tmpdir(), 'sage-rag-bench-'));
  for (const name of ['be.md', 'fr.md', 'it.md']) copyFileSync(join(CORPUS_DIR, name), join(warmDir, name));
  log('ingest warm-up: 3 documents per contender');
  await sageIngest(warmDb, sageEmbedder, warmDir);
  await langchainIngest(embeddings, warmDir);
  await rawEmbedder.embed(chunkTexts.slice(0, EMBED_BATCH));
  rmSync(warmDir, { recursive: true, force: true });
  rmSync(warmDb, { recursive: true, force: true });
}

// ---- Ingest: chunks/s. The last SAGE database and LangChain store serve the questions.
let sageDb: string | undefined;
let store: MemoryVectorStore | undefined;
log(`ingest: ${sageCount.documents} documents, ${chunkTexts.length} chunks`);
const ingest = await measure(
  [
    {
      name: NAMES.rawIngest,
      records: chunkTexts.length,
      run: () => rawEmbedder.embed(chunkTexts),
      verify: (vectors: Float32Array[]) => {
        if (vectors.length !== chunkTexts.length) throw new Error(`raw embedder: ${vectors.length} vectors for ${chunkTexts.length} chunks`);
      },
    } satisfies Contender<Float32Array[]>,
    {
      name: NAMES.sageIngest,
      records: sageCount.chunks,
      run: async () => {
        const dbPath = mkdtempSync(join(tmpdir(), 'sage-rag-bench-'));
        return { dbPath, chunks: await sageIngest(dbPath, sageEmbedder) };
      },
      verify: ({ dbPath, chunks }) => {
        if (sageDb !== undefined) rmSync(sageDb, { recursive: true, force: true });
        sageDb = dbPath;
        if (chunks !== sageCount.chunks) throw new Error(`SAGE buildIndex stored ${chunks} chunks, expected ${sageCount.chunks}`);
      },
    } satisfies Contender<{ dbPath: string; chunks: number }>,
    {
      name: NAMES.langchainIngest,
      records: chunkTexts.length,
      run: () => langchainIngest(embeddings),
      verify: (built: MemoryVectorStore) => {
        store = built;
        if (built.memoryVectors.length !== chunkTexts.length) throw new Error(`LangChain stored ${built.memoryVectors.length} chunks, expected ${chunkTexts.length}`);
      },
    } satisfies Contender<MemoryVectorStore>,
  ],
  0,
  rounds,
  log,
);
process.on('exit', () => {
  if (sageDb !== undefined) rmSync(sageDb, { recursive: true, force: true });
});

// ---- Questions: questions/s end to end, and the scores of each contender's answers.
const chain = langchainChain(store!);
const lease = await acquireDatabase(sageDb!);
const collection = await lease.db.collection(COLLECTION);
const scores = new Map<string, Scores>();
const answering = (name: string, run: () => Promise<Answered[]>): Contender<Answered[]> => ({
  name,
  records: questions.length,
  run,
  verify: (answers) => {
    try {
      verifyAnswers(name, answers, questions);
    } catch (error) {
      notes.push(`NOT VERIFIED: ${(error as Error).message}`);
      log(`  ${(error as Error).message}`);
    }
    scores.set(name, score(answers, questions));
  },
});
const queryCheck = (name: string) => (vectors: Float32Array[]) => {
  if (vectors.length !== questions.length) throw new Error(`${name}: ${vectors.length} vectors for ${questions.length} questions`);
};
log(`questions: ${questions.length}, top ${4}, extractive answers; concurrency 1 and ${concurrency}`);
const answered = await measure(
  [
    {
      name: NAMES.rawQueries,
      records: questions.length,
      run: async () => {
        const vectors: Float32Array[] = [];
        for (const question of questions) vectors.push(...(await rawEmbedder.embed([question.query])));
        return vectors;
      },
      verify: queryCheck(NAMES.rawQueries),
    } satisfies Contender<Float32Array[]>,
    {
      name: NAMES.rawQueriesBatched,
      records: questions.length,
      run: () => rawEmbedder.embed(questions.map((question) => question.query)),
      verify: queryCheck(NAMES.rawQueriesBatched),
    } satisfies Contender<Float32Array[]>,
    answering(NAMES.direct, () => directQuestions(questions, collection, rawEmbedder)),
    answering(NAMES.sage1, () => sageQuestions(questions, sageDb!, sageEmbedder, 1)),
    answering(NAMES.sageN, () => sageQuestions(questions, sageDb!, sageEmbedder, concurrency)),
    answering(NAMES.sageWorkers, () => sageQuestions(questions, sageDb!, sagePoolEmbedder, concurrency)),
    answering(NAMES.langchainInvoke, () => langchainInvoke(chain, questions)),
    answering(NAMES.langchainBatch, () => langchainBatch(chain, questions, concurrency)),
  ],
  warmup,
  questionRounds,
  log,
);
await lease.release();

const find = (results: Measurement[], name: string) => results.find((m) => m.name === name)!;
printIngest(ingest, find(ingest, NAMES.rawIngest), NAMES.sageIngest);
printQuestions(answered, find(answered, NAMES.rawQueries), NAMES.sage1, scores);
printRatios([
  ['ingest chunks/s: SAGE ÷ LangChain', find(ingest, NAMES.sageIngest), find(ingest, NAMES.langchainIngest)],
  ['questions/s, concurrency 1: SAGE ÷ direct calls (framework cost)', find(answered, NAMES.sage1), find(answered, NAMES.direct)],
  ['questions/s, concurrency 1: LangChain invoke ÷ direct calls', find(answered, NAMES.langchainInvoke), find(answered, NAMES.direct)],
  ['questions/s, concurrency 1: SAGE ÷ LangChain invoke', find(answered, NAMES.sage1), find(answered, NAMES.langchainInvoke)],
  [`questions/s, concurrency ${concurrency}: SAGE ÷ LangChain batch`, find(answered, NAMES.sageN), find(answered, NAMES.langchainBatch)],
  [`questions/s, concurrency ${concurrency}: SAGE (embedder on ${workers} threads) ÷ LangChain batch`, find(answered, NAMES.sageWorkers), find(answered, NAMES.langchainBatch)],
  [`questions/s: SAGE concurrency ${concurrency} ÷ LangChain invoke`, find(answered, NAMES.sageN), find(answered, NAMES.langchainInvoke)],
  [`questions/s: SAGE concurrency ${concurrency} ÷ SAGE concurrency 1`, find(answered, NAMES.sageN), find(answered, NAMES.sage1)],
  [`query embeddings: batched ÷ one per call`, find(answered, NAMES.rawQueriesBatched), find(answered, NAMES.rawQueries)],
]);
printTargets(
  [
    {
      label: 'SAGE ingest overhead over the raw embedder < 10%',
      measured: find(ingest, NAMES.sageIngest),
      raw: find(ingest, NAMES.rawIngest),
    },
    {
      label: 'SAGE questions (concurrency 1) overhead over the raw query embeddings < 10%',
      measured: find(answered, NAMES.sage1),
      raw: find(answered, NAMES.rawQueries),
    },
  ],
  [
    {
      label: `SAGE (concurrency ${concurrency}) ≥ 3× LangChain invoke, questions/s`,
      ratioName: `SAGE c${concurrency} ÷ LangChain invoke`,
      numerator: find(answered, NAMES.sageN),
      denominator: find(answered, NAMES.langchainInvoke),
      min: 3,
    },
    {
      label: `SAGE (concurrency ${concurrency}, embedder on ${workers} threads) ≥ 3× LangChain invoke, questions/s`,
      ratioName: `SAGE c${concurrency} ${workers} threads ÷ LangChain invoke`,
      numerator: find(answered, NAMES.sageWorkers),
      denominator: find(answered, NAMES.langchainInvoke),
      min: 3,
    },
  ],
  notes,
);
await sagePoolEmbedder.close?.();
