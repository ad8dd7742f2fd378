/**
 * Filtered search against a brute-force filter at selectivities 50%, 10%, 1% and 0.1%: exactly
 * min(k, matches) results per query and recall@10 of at least 0.99, on the FAISS HNSW index.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bruteForceCosine, clusteredVectors, random, row, temporaryDirectory } from './__fixtures__/vectors.js';
import type { Collection } from './collection.js';
import { SageDB } from './sage-db.js';

const DIMENSION = 32;
const COUNT = 30_000;
const QUERIES = 40;
const K = 10;

describe('filtered search on HNSW (faiss)', () => {
  const directory = temporaryDirectory();
  const vectors = clusteredVectors(COUNT, DIMENSION, 21, 32);
  const next = random(99);
  const selector = Array.from({ length: COUNT }, () => Math.floor(next() * 1000));
  const queries = clusteredVectors(QUERIES, DIMENSION, 22, 32);
  let db: SageDB;
  let collection: Collection;

  beforeAll(async () => {
    db = await SageDB.open(directory.path, { backend: 'faiss' });
    collection = await db.createCollection('filtered', { dimension: DIMENSION, index: 'hnsw' });
    await collection.upsert({
      ids: selector.map((_, i) => String(i)),
      vectors,
      metadatas: selector.map((sel) => ({ sel })),
    });
  }, 120_000);

  afterAll(async () => {
    await db.close();
    directory.remove();
  });

  // `auto` picks the cheaper path; `index` forces the search inside HNSW (with its exact completion), so
  // both paths are held to the same bar at every selectivity.
  for (const [share, bound, strategy] of [
    ['50%', 500, 'auto'],
    ['10%', 100, 'auto'],
    ['1%', 10, 'auto'],
    ['0.1%', 1, 'auto'],
    ['50%', 500, 'index'],
    ['10%', 100, 'index'],
    ['1%', 10, 'index'],
    ['0.1%', 1, 'index'],
  ] as const) {
    it(`at ${share} selectivity (${strategy}) returns exactly k with recall@10 >= 0.99`, async () => {
      const candidates = [...selector.keys()].filter((i) => selector[i]! < bound);
      let found = 0;
      let expectedTotal = 0;
      for (let q = 0; q < QUERIES; q++) {
        const query = row(queries, q, DIMENSION);
        const hits = await collection.search(query, { k: K, filter: { sel: { $lt: bound } }, strategy });
        expect(collection.searchSync(query, { k: K, filter: { sel: { $lt: bound } }, strategy })).toEqual(hits);
        const expected = bruteForceCosine(query, vectors, DIMENSION, candidates, K).map(String);
        expect(hits).toHaveLength(Math.min(K, candidates.length));
        for (const hit of hits) expect(hit.metadata.sel as number).toBeLessThan(bound);
        found += hits.filter((hit) => expected.includes(hit.id)).length;
        expectedTotal += expected.length;
      }
      expect(found / expectedTotal).toBeGreaterThanOrEqual(0.99);
    });
  }
});
