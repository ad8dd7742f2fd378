/**
 * usearch `exactSearch`: its SIMD brute-force kernel over the dataset's Float32Array, one query per call, one
 * thread. Its binding reads a typed array from the start of its ArrayBuffer (it ignores `byteOffset`), so
 * each query is passed as its own copy, made once outside the clock.
 */
import { exactSearch, type Matches, MetricKind } from 'usearch';
import type { Dataset } from '../dataset.js';
import type { Contender, Pass, Runner } from './contender.js';

export function usearchExactContender(): Contender {
  let dataset: Dataset | undefined;
  let queries: Float32Array[] = [];
  const runner: Runner<Matches> = {
    name: 'usearch exactSearch',
    async run({ k, count }: Pass) {
      const { vectors, spec } = dataset!;
      const out: Matches[] = new Array(count);
      for (let q = 0; q < count; q++) out[q] = exactSearch(vectors, queries[q]!, spec.dimension, k, MetricKind.L2sq, 1) as Matches;
      return out;
    },
    decode: (raw) => Array.from(raw.keys, Number),
  };
  return {
    id: 'usearch-exact',
    name: 'usearch exactSearch',
    kind: 'exact',
    indexless: true,
    async build(data: Dataset) {
      dataset = data; // nothing to build: the dataset is passed to every call
      const { dimension } = data.spec;
      queries = Array.from({ length: data.spec.queries }, (_, q) => data.queries.slice(q * dimension, (q + 1) * dimension));
    },
    runners: [runner],
    dispose() {
      dataset = undefined;
      queries = [];
    },
  };
}
