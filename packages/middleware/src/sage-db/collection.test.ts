import { ValidationError } from '@sage/common';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bruteForceCosine, clusteredVectors, random, row, temporaryDirectory } from './__fixtures__/vectors.js';
import { SageDB } from './sage-db.js';

// Every behaviour holds for both vector backends: the FAISS addon and the exact in-process scan.
describe.each(['faiss', 'exact'] as const)('Collection (%s backend)', (backend) => {
  let directory: ReturnType<typeof temporaryDirectory>;
  let db: SageDB;
  beforeEach(async () => {
    directory = temporaryDirectory();
    db = await SageDB.open(directory.path, { backend });
  });
  afterEach(async () => {
    await db.close();
    directory.remove();
  });

  it('upserts, gets, replaces and deletes records by id', async () => {
    const docs = await db.createCollection('docs', { dimension: 3, metric: 'l2', index: 'flat' });
    const ids = await docs.upsert([
      { id: 'a', vector: [1, 0, 0], metadata: { year: 2020, tags: ['x'] }, text: 'alpha' },
      { vector: new Float32Array([0, 1, 0]) },
    ]);
    expect(ids[0]).toBe('a');
    expect(ids[1]).toMatch(/^[0-9a-f-]{36}$/);
    expect(docs.count).toBe(2);
    expect(docs.get('a')).toEqual({ id: 'a', vector: new Float32Array([1, 0, 0]), metadata: { year: 2020, tags: ['x'] }, text: 'alpha' });
    await docs.upsert([{ id: 'a', vector: [0, 0, 1], metadata: { year: 2021 } }]);
    expect(docs.count).toBe(2);
    expect(docs.get('a')!.metadata).toEqual({ year: 2021 });
    expect((await docs.search([0, 0, 1], { k: 1 }))[0]!.id).toBe('a');
    expect(await docs.delete(['a', 'missing'])).toBe(1);
    expect(docs.get('a')).toBeUndefined();
    expect(docs.count).toBe(1);
    expect((await docs.search([1, 0, 0], { k: 5 })).map((hit) => hit.id)).toEqual([ids[1]]);
  });

  it('takes the column form and keeps the last of an id given twice in one batch', async () => {
    const docs = await db.createCollection('columns', { dimension: 2, metric: 'ip', index: 'flat' });
    await docs.upsert({ ids: ['p', 'q', 'p'], vectors: [[1, 0], [0, 1], [2, 2]], metadatas: [{ n: 1 }, { n: 2 }, { n: 3 }] });
    expect(docs.count).toBe(2);
    expect(docs.get('p')).toMatchObject({ vector: new Float32Array([2, 2]), metadata: { n: 3 } });
    const hits = await docs.search([1, 1], { k: 2 });
    expect(hits.map((hit) => [hit.id, hit.score])).toEqual([
      ['p', 4],
      ['q', 1],
    ]);
  });

  it('refuses bad input with a typed error naming the record and the problem, storing nothing', async () => {
    const docs = await db.createCollection('strict', { dimension: 3 });
    const bad: Array<[unknown, RegExp]> = [
      [[{ id: 'a', vector: [1, 2] }], /record 0 \("a"\): vector has dimension 2, the collection has 3/],
      [[{ id: 'ok', vector: [1, 2, 3] }, { id: 'b', vector: [1, Number.NaN, 3] }], /record 1 \("b"\): vector component 1 is NaN/],
      [[{ id: 'c', vector: new Float32Array([1, Number.POSITIVE_INFINITY, 0]) }], /component 1 is Infinity/],
      [[], /the batch is empty/],
      [{ ids: ['x', 'y'], vectors: [[1, 2, 3]] }, /ids has 2 entries but there are 1 vectors/],
      [[{ id: 'd', vector: [1, 2, 3], metadata: { nested: { a: 1 } } }], /metadata.nested must be a string, a finite number/],
      [[{ id: '', vector: [1, 2, 3] }], /id must be a non-empty string/],
    ];
    for (const [input, message] of bad) {
      expect(() => docs.upsert(input as never)).toThrow(ValidationError);
      expect(() => docs.upsert(input as never)).toThrow(message);
    }
    expect(docs.count).toBe(0);
    await expect(docs.search([1, 2])).rejects.toThrow(/search in "strict": vector has dimension 2/);
    await expect(docs.searchBatch([[1, 2, 3], [1, 2]])).rejects.toThrow(/search in "strict": query 1: vector has dimension 2/);
    await expect(docs.search([1, 2, 3], { k: 0 })).rejects.toThrow(/k must be an integer from 1/);
    await expect(docs.search([1, 2, 3], { filter: { year: { $gtt: 1 } } })).rejects.toThrow(/filter\.year/);
  });

  it('search returns the exact top-k of a flat index and close results of hnsw', async () => {
    const dimension = 16;
    const count = 2000;
    const vectors = clusteredVectors(count, dimension, 7);
    for (const index of ['flat', 'hnsw'] as const) {
      const docs = await db.createCollection(`search-${index}`, { dimension, index });
      await docs.upsert({ ids: Array.from({ length: count }, (_, i) => `r${i}`), vectors });
      let found = 0;
      const queries = 50;
      for (let q = 0; q < queries; q++) {
        const query = row(vectors, q * 13, dimension);
        const expected = bruteForceCosine(query, vectors, dimension, [...Array(count).keys()], 10).map((i) => `r${i}`);
        const hits = await docs.search(query, { k: 10 });
        expect(hits).toHaveLength(10);
        found += hits.filter((hit) => expected.includes(hit.id)).length;
        if (index === 'flat') expect(hits.map((hit) => hit.id)).toEqual(expected);
      }
      expect(found / (queries * 10)).toBeGreaterThanOrEqual(0.95);
    }
  });

  it('filtered search returns exactly k matching records at every selectivity', async () => {
    const dimension = 8;
    const count = 3000;
    const vectors = clusteredVectors(count, dimension, 11);
    const next = random(5);
    const metadata = Array.from({ length: count }, (_, i) => ({ bucket: i % 1000, tag: next() < 0.5 ? 'a' : 'b', even: i % 2 === 0 }));
    const docs = await db.createCollection('filtered', { dimension, index: 'hnsw' });
    await docs.upsert({ ids: metadata.map((_, i) => `r${i}`), vectors, metadatas: metadata });
    for (const [filter, predicate] of [
      [{ even: true }, (m: (typeof metadata)[number]) => m.even],
      [{ bucket: { $lt: 100 } }, (m: (typeof metadata)[number]) => m.bucket < 100],
      [{ bucket: { $lt: 10 } }, (m: (typeof metadata)[number]) => m.bucket < 10],
      [{ $or: [{ bucket: 3 }, { bucket: 999, tag: 'a' }] }, (m: (typeof metadata)[number]) => m.bucket === 3 || (m.bucket === 999 && m.tag === 'a')],
    ] as const) {
      const candidates = [...Array(count).keys()].filter((i) => predicate(metadata[i]!));
      const query = row(vectors, 42, dimension);
      const hits = await docs.search(query, { k: 10, filter });
      expect(hits).toHaveLength(Math.min(10, candidates.length));
      for (const hit of hits) expect(predicate(hit.metadata as never)).toBe(true);
      const expected = bruteForceCosine(query, vectors, dimension, candidates, 10).map((i) => `r${i}`);
      expect(hits.filter((hit) => expected.includes(hit.id)).length).toBeGreaterThanOrEqual(Math.min(10, candidates.length) - 1);
    }
    expect(await docs.search(row(vectors, 0, dimension), { filter: { bucket: -1 } })).toEqual([]);
  });

  it('keyword search ranks by BM25 and hybrid search fuses both sides', async () => {
    const docs = await db.createCollection('text', { dimension: 2, metric: 'l2', index: 'flat' });
    await docs.upsert([
      { id: 'reset', vector: [0, 0], text: 'How to reset your password', metadata: { lang: 'en' } },
      { id: 'login', vector: [5, 5], text: 'Login problems and password reset links', metadata: { lang: 'en' } },
      { id: 'billing', vector: [0.1, 0], text: 'Billing and invoices', metadata: { lang: 'fr' } },
    ]);
    const keyword = await docs.keywordSearch('password reset', { k: 3 });
    expect(keyword.map((hit) => hit.id).sort()).toEqual(['login', 'reset']);
    expect(keyword[0]!.id).toBe('reset'); // shorter document, same term frequencies
    // Vector side order: reset (0), billing (0.01), login (50). Keyword side: reset, login.
    // RRF with k=60: reset 1/61 + 1/61, billing 1/62, login 1/63 + 1/62.
    const fused = await docs.hybridSearch({ vector: [0, 0], text: 'password reset', k: 3, fusion: 'rrf' });
    expect(fused.map((hit) => hit.id)).toEqual(['reset', 'login', 'billing']);
    expect(fused[0]!.score).toBeCloseTo(2 / 61, 6);
    expect(fused[1]!.score).toBeCloseTo(1 / 63 + 1 / 62, 6);
    const filtered = await docs.hybridSearch({ vector: [0, 0], text: 'password', k: 3, filter: { lang: 'fr' } });
    expect(filtered.map((hit) => hit.id)).toEqual(['billing']);
    await docs.delete(['reset']);
    expect((await docs.keywordSearch('reset', { k: 3 })).map((hit) => hit.id)).toEqual(['login']);
  });

  it('searchSync answers what search does, filtered or not, and refuses bad input the same way', async () => {
    const dimension = 8;
    const count = 3000;
    const vectors = clusteredVectors(count, dimension, 13);
    const docs = await db.createCollection('sync', { dimension, index: 'hnsw' });
    await docs.upsert({
      ids: Array.from({ length: count }, (_, i) => `r${i}`),
      vectors,
      metadatas: Array.from({ length: count }, (_, i) => ({ bucket: i % 1000 })),
      texts: Array.from({ length: count }, (_, i) => `record ${i}`),
    });
    for (const options of [{ k: 7 }, { k: 10, filter: { bucket: { $lt: 500 } } }, { k: 10, filter: { bucket: { $lt: 3 } } }, { k: 3, includeVector: true }]) {
      for (let q = 0; q < 10; q++) {
        const query = row(vectors, q * 31, dimension);
        expect(docs.searchSync(query, options)).toEqual(await docs.search(query, options));
      }
    }
    expect(docs.searchSync(Array.from(row(vectors, 5, dimension)), { k: 1 })[0]!.id).toBe('r5');
    expect(() => docs.searchSync([1, 2], { k: 1 })).toThrow(ValidationError);
    expect(() => docs.searchSync(row(vectors, 0, dimension), { k: 0 })).toThrow(/k must be an integer/);
    expect(() => docs.searchSync(row(vectors, 0, dimension), { filter: { bucket: { $bad: 1 } } as never })).toThrow(ValidationError);
  });

  it('searchSync returns exactly k known records while an upsert is being applied', async () => {
    const dimension = 8;
    const vectors = clusteredVectors(6000, dimension, 17);
    const docs = await db.createCollection('sync-busy', { dimension, index: 'hnsw' });
    await docs.upsert({ ids: Array.from({ length: 1000 }, (_, i) => `r${i}`), vectors: vectors.subarray(0, 1000 * dimension) });
    let done = false;
    const write = docs
      .upsert({ ids: Array.from({ length: 5000 }, (_, i) => `r${1000 + i}`), vectors: vectors.subarray(1000 * dimension) })
      .finally(() => {
        done = true;
      });
    let searches = 0;
    while (!done) {
      // Queries near records being added: their labels enter the index before the store knows them.
      const hits = docs.searchSync(row(vectors, 1000 + ((searches * 97) % 5000), dimension), { k: 5 });
      expect(hits).toHaveLength(5);
      for (const hit of hits) expect(docs.get(hit.id)).toBeDefined();
      searches++;
      await new Promise((resolve) => setImmediate(resolve));
    }
    await write;
    expect(searches).toBeGreaterThan(0);
    expect(docs.searchSync(row(vectors, 5999, dimension), { k: 1 })[0]!.id).toBe('r5999');
  });

  it('keeps searching correctly while writes arrive', async () => {
    const dimension = 8;
    const vectors = clusteredVectors(4000, dimension, 3);
    const docs = await db.createCollection('busy', { dimension, index: 'hnsw' });
    await docs.upsert({ ids: Array.from({ length: 1000 }, (_, i) => `r${i}`), vectors: vectors.subarray(0, 1000 * dimension) });
    const writes = (async () => {
      for (let batch = 1; batch < 4; batch++) {
        await docs.upsert({
          ids: Array.from({ length: 1000 }, (_, i) => `r${batch * 1000 + i}`),
          vectors: vectors.subarray(batch * 1000 * dimension, (batch + 1) * 1000 * dimension),
        });
        await docs.delete([`r${batch}`]);
      }
    })();
    const searches = Array.from({ length: 40 }, (_, q) => docs.search(row(vectors, q, dimension), { k: 5 }));
    const results = await Promise.all(searches);
    await writes;
    for (const hits of results) expect(hits).toHaveLength(5);
    expect(docs.count).toBe(3997);
  });
});

describe('evaluated filters', () => {
  it('are reused between searches and forgotten after every write', async () => {
    const directory = temporaryDirectory();
    const db = await SageDB.open(directory.path, { backend: 'exact' });
    const docs = await db.createCollection('cache', { dimension: 2, metric: 'l2', index: 'flat' });
    await docs.upsert([
      { id: 'a', vector: [0, 0], metadata: { lang: 'en' } },
      { id: 'b', vector: [1, 1], metadata: { lang: 'fr' } },
    ]);
    const filter = { lang: 'en' };
    expect((await docs.search([1, 1], { filter })).map((hit) => hit.id)).toEqual(['a']);
    await docs.upsert([{ id: 'c', vector: [1, 1], metadata: { lang: 'en' } }]);
    expect((await docs.search([1, 1], { filter })).map((hit) => hit.id)).toEqual(['c', 'a']);
    await docs.upsert([{ id: 'c', vector: [1, 1], metadata: { lang: 'fr' } }]);
    expect((await docs.keywordSearch('x', { filter })).map((hit) => hit.id)).toEqual([]);
    expect((await docs.search([1, 1], { filter })).map((hit) => hit.id)).toEqual(['a']);
    await docs.delete(['a']);
    expect(await docs.search([1, 1], { filter })).toEqual([]);
    await db.close();
    directory.remove();
  });
});
