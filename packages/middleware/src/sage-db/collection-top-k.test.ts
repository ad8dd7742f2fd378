import { OperatorError, ValidationError } from '@sage/common';
import { LocalEnvironment } from '@sage/kernel';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bruteForceCosine, clusteredVectors, row, temporaryDirectory } from './__fixtures__/vectors.js';
import type { Collection } from './collection.js';
import { CollectionTopK, type TopKMatch } from './collection-top-k.js';
import { SageDB } from './sage-db.js';
import type { Hit } from './types.js';

const quiet = { logLevel: 'silent' as const, handleSignals: false };
const DIMENSION = 8;

interface Query {
  id: number;
  embedding: Float32Array;
}

/** Counts the batches it searches, so a test can see that elements in flight share one call. */
class CountingTopK extends CollectionTopK<Query> {
  static batches: number[] = [];
  protected override searchBatch(vectors: Array<Float32Array | readonly number[]>): Promise<Hit[][]> {
    CountingTopK.batches.push(vectors.length);
    return super.searchBatch(vectors);
  }
}

describe.each(['faiss', 'exact'] as const)('CollectionTopK (%s backend)', (backend) => {
  let directory: ReturnType<typeof temporaryDirectory>;
  let db: SageDB;
  let docs: Collection;
  const stored = clusteredVectors(300, DIMENSION, 5);
  const queries: Query[] = Array.from({ length: 60 }, (_, id) => ({ id, embedding: row(clusteredVectors(60, DIMENSION, 9), id, DIMENSION) }));

  beforeEach(async () => {
    directory = temporaryDirectory();
    db = await SageDB.open(directory.path, { backend });
    docs = await db.createCollection('docs', { dimension: DIMENSION, metric: 'cosine', index: 'flat' });
    await docs.upsert(Array.from({ length: 300 }, (_, index) => ({ id: String(index), vector: row(stored, index, DIMENSION) })));
  });
  afterEach(async () => {
    await db.close();
    directory.remove();
  });

  it('gives each element of a stream its k nearest records, searching the elements in flight in one batch', async () => {
    CountingTopK.batches = [];
    const env = new LocalEnvironment('top-k', quiet);
    const matches: Array<TopKMatch<Query>> = [];
    env
      .fromBatch(queries)
      .map(CountingTopK, { collection: docs, k: 5, vector: 'embedding' }, { concurrency: 16 })
      .sink((match) => {
        matches.push(match);
      });
    await env.submit({ autostop: true });
    expect(matches.map((match) => match.element.id)).toEqual(queries.map((query) => query.id));
    const all = Array.from({ length: 300 }, (_, index) => index);
    for (const match of matches) {
      expect(match.hits.map((hit) => Number(hit.id))).toEqual(bruteForceCosine(match.element.embedding, stored, DIMENSION, all, 5));
    }
    expect(CountingTopK.batches.reduce((a, b) => a + b, 0)).toBe(queries.length);
    expect(Math.max(...CountingTopK.batches)).toBeGreaterThan(1);
  });

  it('opens the collection by name and database directory, and fails the job on an element without a vector', async () => {
    await db.close();
    const run = async (input: Query[]) => {
      const env = new LocalEnvironment('top-k-by-name', quiet);
      const matches: Array<TopKMatch<Query>> = [];
      env
        .fromBatch(input)
        .map(CollectionTopK<Query>, { collection: 'docs', db: directory.path, k: 1, vector: 'embedding' }, { name: 'nearest' })
        .sink((match) => {
          matches.push(match);
        });
      const failure = await env.submit({ autostop: true }).then(
        () => undefined,
        (error: unknown) => error,
      );
      return { matches, failure };
    };
    const good = await run([queries[0]!]);
    expect(good.failure).toBeUndefined();
    expect(good.matches.map((match) => match.hits.length)).toEqual([1]);
    const bad = await run([{ id: 99 } as unknown as Query]);
    expect(bad.failure).toBeInstanceOf(OperatorError);
    expect(String((bad.failure as OperatorError).cause)).toContain('CollectionTopK: field "embedding" must be a Float32Array or an array of numbers');
    db = await SageDB.open(directory.path, { backend });
  });
});

it('CollectionTopK refuses a config without a collection', () => {
  expect(() => new CollectionTopK({ collection: 'docs', k: 3 })).toThrow(ValidationError);
  expect(() => new CollectionTopK({ collection: 'docs', db: '/tmp/x', k: 0 })).toThrow(/k must be a positive integer, got 0/);
});
