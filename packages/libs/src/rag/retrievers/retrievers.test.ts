import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SageError, ValidationError } from '@sage/common';
import { runOperator } from '@sage/kernel/testing';
import { SageDB } from '@sage/middleware';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Document, RetrievedRecord } from '../contracts.js';
import type { Embedder } from '../embeddings/embedder.js';
import { HashingEmbedder } from '../embeddings/hashing-embedder.js';
import { IndexWriter } from '../indexing/index-writer.js';
import { acquireDatabase } from '../knowledge-base.js';
import { BM25Retriever } from './bm25-retriever.js';
import { DenseRetriever } from './dense-retriever.js';
import { HybridRetriever } from './hybrid-retriever.js';

const corpus: Document[] = [
  { id: 'pw', text: 'To reset your password open settings and choose reset password.', metadata: { topic: 'account', year: 2024 } },
  { id: 'ship', text: 'Orders ship within two business days from our warehouse.', metadata: { topic: 'orders', year: 2023 } },
  { id: 'refund', text: 'Refunds are paid back to the original card within a week.', metadata: { topic: 'orders', year: 2024 } },
  { id: 'whale', text: 'The white whale swam far beyond the ship into the cold ocean.', metadata: { topic: 'novel', year: 1851 } },
  { id: 'email', text: 'Change the email address of your account in the profile settings.', metadata: { topic: 'account', year: 2022 } },
];

const ids = (record: RetrievedRecord) => record.retrievalResults.map((result) => result.id);

describe('IndexWriter and the retrievers', () => {
  let dbPath: string;
  const embedder = 'hashing-256';

  beforeAll(async () => {
    dbPath = mkdtempSync(join(tmpdir(), 'sage-rag-retrievers-'));
    const progress: number[] = [];
    await runOperator('sink', IndexWriter, {
      records: corpus,
      config: { collection: 'faq', dbPath, embedder, batchSize: 2, onProgress: (n: number) => progress.push(n) },
    });
    expect(progress).toEqual([2, 4, 5]);
  });
  afterAll(() => rmSync(dbPath, { recursive: true, force: true }));

  it('stores every document once, with its text, storable metadata and the embedder name', async () => {
    // Indexing the same documents again replaces them (upsert by id).
    await runOperator('sink', IndexWriter, { records: corpus.slice(0, 2), config: { collection: 'faq', dbPath, embedder } });
    const db = await SageDB.open(dbPath);
    const info = await db.describeCollection('faq');
    expect(info.count).toBe(corpus.length);
    expect(info.metadata).toEqual({ embedder });
    expect(info.dimension).toBe(256);
    const stored = (await db.collection('faq')).get('pw');
    expect(stored?.text).toBe(corpus[0]!.text);
    expect(stored?.metadata).toEqual({ topic: 'account', year: 2024 });
    await db.close();
  });

  it('DenseRetriever returns the nearest chunks, best first, from strings or query records', async () => {
    const { output } = await runOperator<unknown, RetrievedRecord>('map', DenseRetriever, {
      records: ['how do I reset my password', { query: 'when will my orders ship', references: ['two days'] }],
      config: { collection: 'faq', dbPath, topK: 2 },
    });
    expect(output).toHaveLength(2);
    expect(ids(output[0]!)[0]).toBe('pw');
    expect(ids(output[1]!)[0]).toBe('ship');
    expect(output[1]!.references).toEqual(['two days']); // unknown fields pass through
    for (const record of output) {
      expect(record.retrievalResults).toHaveLength(2);
      expect(record.retrievalResults[0]!.score).toBeGreaterThanOrEqual(record.retrievalResults[1]!.score);
      expect(record.retrievalResults[0]!.text.length).toBeGreaterThan(0);
      expect(record.timings?.DenseRetriever).toBeGreaterThanOrEqual(0);
    }
  });

  it('embeds the queries of records in flight together as one batch', async () => {
    const hashing = new HashingEmbedder({ dimension: 256 });
    const calls: number[] = [];
    const counting: Embedder = {
      name: hashing.name,
      dimension: hashing.dimension,
      init: () => hashing.init(),
      embed: (texts) => {
        calls.push(texts.length);
        return hashing.embed(texts);
      },
    };
    const questions = Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? `reset password ${i}` : `orders ship ${i}`));
    const { output } = await runOperator<string, RetrievedRecord>('map', DenseRetriever, {
      records: questions,
      config: { collection: 'faq', dbPath, topK: 1, embedder: counting },
      options: { concurrency: 8 },
    });
    expect(output.map((record) => ids(record)[0])).toEqual(questions.map((_, i) => (i % 2 === 0 ? 'pw' : 'ship')));
    expect(calls.reduce((sum, size) => sum + size, 0)).toBe(40);
    // Eight records in flight at a time: batches of up to eight, not forty single calls.
    expect(Math.max(...calls)).toBeGreaterThan(4);
    expect(calls.length).toBeLessThanOrEqual(10);
  });

  it('applies metadata filters', async () => {
    const { output } = await runOperator<string, RetrievedRecord>('map', DenseRetriever, {
      records: ['reset password settings'],
      config: { collection: 'faq', dbPath, topK: 5, filter: { topic: 'orders' } },
    });
    expect(ids(output[0]!).sort()).toEqual(['refund', 'ship']);
  });

  it('BM25Retriever ranks by keywords and HybridRetriever fuses both sides', async () => {
    const bm25 = await runOperator<string, RetrievedRecord>('map', BM25Retriever, {
      records: ['whale ocean'],
      config: { collection: 'faq', dbPath, topK: 3 },
    });
    expect(ids(bm25.output[0]!)[0]).toBe('whale');
    for (const fusion of ['rrf', 'weighted'] as const) {
      const hybrid = await runOperator<string, RetrievedRecord>('map', HybridRetriever, {
        records: ['reset my account password'],
        config: { collection: 'faq', dbPath, topK: 3, fusion },
      });
      expect(ids(hybrid.output[0]!)[0]).toBe('pw');
      expect(hybrid.output[0]!.timings?.HybridRetriever).toBeGreaterThanOrEqual(0);
    }
  });

  it('refuses an unknown collection with the command that builds it, and an embedder the collection was not made with', async () => {
    const missing = runOperator('map', DenseRetriever, { records: ['q'], config: { collection: 'nope', dbPath } });
    await expect(missing).rejects.toThrow(/DenseRetriever: collection "nope" does not exist.*sage index build/);
    const mismatch = runOperator('map', DenseRetriever, { records: ['q'], config: { collection: 'faq', dbPath, embedder: 'hashing-128' } });
    await expect(mismatch).rejects.toThrow(/indexed with embedder "hashing-256", not "hashing-128"/);
    // The failed open gave the database back: the last lease closes it.
    const lease = await acquireDatabase(dbPath);
    await lease.release();
    await expect(lease.db.listCollections()).rejects.toThrow(/is closed/);
    const writer = runOperator('sink', IndexWriter, { records: corpus, config: { collection: 'faq', dbPath, embedder: 'hashing-64' } });
    await expect(writer).rejects.toThrow(SageError);
  });

  it('validates configs and records, naming the operator and the option or field', () => {
    expect(() => new DenseRetriever({ collection: 'faq', topK: 0 })).toThrow(ValidationError);
    expect(() => new DenseRetriever({ collection: 'faq', topK: 0 })).toThrow(/DenseRetriever: option "topK"/);
    expect(() => new BM25Retriever({ collection: 'faq', topk: 3 } as never)).toThrow(/BM25Retriever: .*topk/);
    expect(() => new HybridRetriever({ collection: 'faq', fusion: 'max' as never })).toThrow(/HybridRetriever: option "fusion"/);
    expect(() => new IndexWriter({ collection: '' })).toThrow(/IndexWriter: option "collection"/);
  });

  it('fails a bad record with an error naming the field', async () => {
    const run = runOperator('map', BM25Retriever, { records: [{ query: 42 }], config: { collection: 'faq', dbPath } });
    await expect(run).rejects.toThrow(/BM25Retriever: record.query/);
  });
});
