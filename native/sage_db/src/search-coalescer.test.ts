import { describe, expect, it } from 'vitest';
import { isSageDbNativeBuilt } from './loader.js';
import type { RawResults } from './native-types.js';
import { type BatchSearch, SearchCoalescer } from './search-coalescer.js';
import { loadSageDbNative } from './index.js';

const native = isSageDbNativeBuilt();

/** A flat index over `count` points (i, i, i, i): the nearest neighbour of (x, x, x, x) is round(x). */
async function flatIndex(count: number) {
  const index = loadSageDbNative().createIndex({ dimension: 4, metric: 'l2', kind: 'flat' });
  const vectors = new Float32Array(count * 4);
  for (let i = 0; i < count; i++) vectors.fill(i, i * 4, i * 4 + 4);
  await index.add(vectors);
  return index;
}

describe.skipIf(!native.built)('SearchCoalescer (real addon)', () => {
  it('answers single queries made together with one batch call, each caller its own results', async () => {
    const index = await flatIndex(50);
    const calls: number[] = [];
    // The real native search, counted: VectorIndex.search of the whole batch.
    const search: BatchSearch = async (queries, k) => {
      calls.push(queries.length / 4);
      const results = await index.search(queries, k);
      const labels = Uint32Array.from(results.flatMap((result) => [...result.labels]));
      const scores = Float32Array.from(results.flatMap((result) => [...result.scores]));
      const offsets = Uint32Array.from([0, ...results.map((_, q) => results.slice(0, q + 1).reduce((sum, r) => sum + r.labels.length, 0))]);
      return { labels, scores, offsets } satisfies RawResults;
    };
    const coalescer = new SearchCoalescer(4, search);
    const query = (x: number) => new Float32Array([x, x, x, x]);
    const answers = await Promise.all([3, 17, 42, 8].map((x) => coalescer.search(query(x), 2, 0, 0)));
    expect(calls).toEqual([4]);
    expect(answers.map((answer) => Array.from(answer.labels))).toEqual([
      [3, 2],
      [17, 16],
      [42, 41],
      [8, 7],
    ]);
    for (const answer of answers) expect(Array.from(answer.offsets)).toEqual([0, 2]);

    // Different k: separate calls; a lone query: a batch of one, one microtask later.
    calls.length = 0;
    const [a, b] = await Promise.all([coalescer.search(query(5), 1, 0, 0), coalescer.search(query(6), 3, 0, 0)]);
    expect(calls.sort()).toEqual([1, 1]);
    expect(Array.from(a.labels)).toEqual([5]);
    expect(b.labels).toHaveLength(3);
    index.close();
  });

  it('copies each query at call time and rejects every caller of a failed batch', async () => {
    const index = await flatIndex(20);
    const coalescer = new SearchCoalescer(4, async (queries, k) => {
      const [first] = await index.search(queries.subarray(0, 4), k);
      return { labels: first!.labels, scores: first!.scores, offsets: Uint32Array.of(0, first!.labels.length) };
    });
    const reused = new Float32Array([9, 9, 9, 9]);
    const pending = coalescer.search(reused, 1, 0, 0);
    reused.fill(1); // the caller reuses its array before the batch goes out
    expect(Array.from((await pending).labels)).toEqual([9]);

    const failing = new SearchCoalescer(4, () => {
      throw new Error('native failure');
    });
    const both = [failing.search(reused, 1, 0, 0), failing.search(reused, 1, 0, 0)];
    for (const result of both) await expect(result).rejects.toThrow('native failure');
    index.close();
  });
});
