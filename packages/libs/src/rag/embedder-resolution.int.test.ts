import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { runOperator } from '@sage/kernel/testing';
import { SageDB } from '@sage/middleware';
import { afterAll, describe, expect, it } from 'vitest';
import type { RetrievedRecord } from './contracts.js';
import { recordableEmbedderConfig } from './embedder-resolution.js';
import { writeTinyEmbeddingModel } from './embeddings/__fixtures__/tiny-onnx-model.js';
import { IndexWriter } from './indexing/index-writer.js';
import { DenseRetriever } from './retrievers/dense-retriever.js';

describe('the embedder a collection records', () => {
  const root = mkdtempSync(join(tmpdir(), 'sage-rag-recorded-embedder-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('rebuilds a local-model embedder for retrievers from the config recorded at indexing', async () => {
    const modelPath = join(root, 'tiny-model');
    writeTinyEmbeddingModel(modelPath);
    const dbPath = join(root, 'db');
    // A relative directory is recorded as an absolute one: retrievers may run from another directory.
    const embedder = { provider: 'onnx' as const, modelPath: relative(process.cwd(), modelPath) };
    const documents = [
      { id: 'a', text: 'the cat sat on the mat', metadata: {} },
      { id: 'b', text: 'a dog ran in the park', metadata: {} },
    ];
    await runOperator('sink', IndexWriter, { records: documents, config: { collection: 'docs', dbPath, embedder } });

    const db = await SageDB.open(dbPath);
    const info = await db.describeCollection('docs');
    await db.close();
    expect(JSON.parse(String(info.metadata.embedderConfig))).toEqual({ provider: 'onnx', modelPath });

    // No `embedder` option: the retriever uses the recorded one.
    const { output } = await runOperator<unknown, RetrievedRecord>('map', DenseRetriever, {
      records: ['the cat sat on the mat'],
      config: { collection: 'docs', dbPath, topK: 1 },
    });
    expect(output[0]!.retrievalResults.map((result) => result.id)).toEqual(['a']);
  });

  it('records no secret and nothing for a name or an embedder object', () => {
    const recorded = recordableEmbedderConfig({ provider: 'openai', model: 'text-embedding-3-small', apiKey: 'sk-secret', baseURL: 'http://127.0.0.1:9/v1' });
    expect(recorded).not.toContain('sk-secret');
    expect(JSON.parse(recorded!)).toEqual({ provider: 'openai', model: 'text-embedding-3-small', baseURL: 'http://127.0.0.1:9/v1' });
    expect(recordableEmbedderConfig('use-lite')).toBeUndefined();
  });
});
