/**
 * The bundled evaluation set against the real offline embedder (USE-lite): 200 questions over the 50
 * Factbook profiles, each naming the document that answers it. Hybrid retrieval must find it in the top 5
 * for at least 90% of the questions, and do at least as well as dense-only and BM25-only retrieval.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LocalEnvironment } from '@sage/kernel';
import { BM25Retriever, buildIndex, DenseRetriever, type EvaluationSummary, Evaluator, HybridRetriever } from '@sage/libs/rag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const here = fileURLToPath(new URL('.', import.meta.url));
const questions = readFileSync(join(here, 'eval.jsonl'), 'utf8')
  .trim()
  .split('\n')
  .map((line) => JSON.parse(line) as { query: string; references: string[]; relevantIds: string[] });

describe('the bundled evaluation set', () => {
  const dbPath = mkdtempSync(join(tmpdir(), 'sage-rag-eval-'));
  beforeAll(async () => {
    const built = await buildIndex({ directory: join(here, 'corpus'), collection: 'factbook', dbPath });
    expect(built.documents).toBe(50);
  }, 240_000);
  afterAll(() => rmSync(dbPath, { recursive: true, force: true }));

  async function recallAt5(retriever: typeof DenseRetriever | typeof BM25Retriever | typeof HybridRetriever): Promise<EvaluationSummary> {
    let summary: EvaluationSummary | undefined;
    const env = new LocalEnvironment('eval', { logLevel: 'warn', handleSignals: false });
    env
      .fromBatch(questions)
      .map(retriever, { collection: 'factbook', dbPath, topK: 5 }, { concurrency: 8 })
      .map(Evaluator, { metrics: ['recallAtK', 'mrr'], k: 5, matchBy: 'sourceId', writer: () => {}, onSummary: (s) => (summary = s) })
      .sink(() => {});
    await env.submit({ autostop: true });
    return summary!;
  }

  it('hybrid recall@5 is at least 0.9 and at least that of dense-only and BM25-only', { timeout: 240_000 }, async () => {
    const hybrid = await recallAt5(HybridRetriever);
    const dense = await recallAt5(DenseRetriever);
    const bm25 = await recallAt5(BM25Retriever);
    for (const summary of [hybrid, dense, bm25]) expect(summary.records).toBe(questions.length);
    expect(hybrid.means.recallAtK).toBeGreaterThanOrEqual(0.9);
    expect(hybrid.means.recallAtK).toBeGreaterThanOrEqual(dense.means.recallAtK!);
    expect(hybrid.means.recallAtK).toBeGreaterThanOrEqual(bm25.means.recallAtK!);
  });
});
