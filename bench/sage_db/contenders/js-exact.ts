/** Pure-JS exact scan: one tight loop over the Float32Array (four accumulators) feeding a top-k heap. */
import type { Dataset } from '../dataset.js';
import { squaredL2, TopK } from '../top-k.js';
import type { Contender, Pass, Runner } from './contender.js';

export function jsExactSearch(vectors: Float32Array, count: number, dimension: number, query: Float32Array, k: number): Int32Array {
  const heap = new TopK(k);
  let bound = Number.POSITIVE_INFINITY;
  for (let i = 0, offset = 0; i < count; i++, offset += dimension) {
    const distance = squaredL2(vectors, offset, query, dimension);
    if (distance < bound) {
      heap.push(i, distance);
      bound = heap.bound;
    }
  }
  return heap.sortedLabels();
}

export function jsExactContender(): Contender {
  let dataset: Dataset | undefined;
  const runner: Runner<Int32Array> = {
    name: 'pure-JS exact scan',
    async run({ k, count }: Pass) {
      const { vectors, queries, spec } = dataset!;
      const { dimension } = spec;
      const out: Int32Array[] = new Array(count);
      for (let q = 0; q < count; q++) out[q] = jsExactSearch(vectors, spec.count, dimension, queries.subarray(q * dimension, (q + 1) * dimension), k);
      return out;
    },
    decode: (labels) => labels,
  };
  return {
    id: 'js-exact',
    name: 'pure-JS exact scan',
    kind: 'exact',
    indexless: true,
    async build(data: Dataset) {
      dataset = data; // nothing to build: it scans the dataset's own Float32Array
    },
    runners: [runner],
    dispose() {
      dataset = undefined;
    },
  };
}
