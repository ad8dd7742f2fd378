/**
 * usearch: `Index` with connectivity = M, expansion_add = efConstruction, and the vectors added in one call
 * on one thread. Its JavaScript binding fixes expansion_search when the index is constructed, so each sweep
 * setting reloads the saved index (outside the clock) into an Index constructed with that expansion_search.
 * The binding has no filtered search: filters are applied after an oversampled search (see `oversample`).
 */
import { rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Index, type IndexConfig, type Matches, MetricKind, ScalarKind } from 'usearch';
import type { Dataset } from '../dataset.js';
import type { Contender, Pass, Runner } from './contender.js';

/** Post-filter candidates: k / selectivity * OVERSAMPLE, at most MAX_CANDIDATES (or every record). */
const OVERSAMPLE = 2;
const MAX_CANDIDATES = 4096;

interface Filtered {
  matches: Matches;
  threshold: number;
  k: number;
}

export function usearchContender(M: number, efConstruction: number, collectGarbage: () => void): Contender {
  let index: Index | undefined;
  let config: IndexConfig | undefined;
  let loadedEf = -1;
  let queries: Float32Array[] = [];
  let sel: Uint16Array = new Uint16Array(0);
  let count = 0;
  const file = join(tmpdir(), `sage-db-bench-usearch-${process.pid}.usearch`);

  let saved = false;
  const save = () => {
    if (!saved) index!.save(file);
    saved = true;
  };
  /** A fresh Index with this expansion_search, loaded from the saved file. */
  const prepare = (ef: number) => {
    if (ef === loadedEf) return;
    save();
    index = undefined;
    collectGarbage(); // lets the previous Index's native memory go before the next is loaded
    index = new Index({ ...config!, expansion_search: ef });
    index.load(file);
    loadedEf = ef;
  };
  const single: Runner<Matches> = {
    name: 'usearch',
    prepare,
    async run({ k, count }: Pass) {
      const out: Matches[] = new Array(count);
      for (let q = 0; q < count; q++) out[q] = index!.search(queries[q]!, k, 1);
      return out;
    },
    decode: (raw) => Array.from(raw.keys, Number),
  };
  const filtered: Runner<Filtered> & { how: string } = {
    name: 'usearch',
    how: `no filter in the JS binding: post-filter of min(${MAX_CANDIDATES}, ${OVERSAMPLE}k / selectivity) candidates`,
    prepare,
    async run({ k, count: queryCount, threshold }: Pass) {
      const wanted = Math.min(count, MAX_CANDIDATES, Math.ceil((OVERSAMPLE * k * 1000) / threshold!));
      const out: Filtered[] = new Array(queryCount);
      for (let q = 0; q < queryCount; q++) out[q] = { matches: index!.search(queries[q]!, wanted, 1), threshold: threshold!, k };
      return out;
    },
    decode({ matches, threshold, k }) {
      const labels: number[] = [];
      for (let i = 0; i < matches.keys.length && labels.length < k; i++) {
        const label = Number(matches.keys[i]);
        if (sel[label]! < threshold) labels.push(label);
      }
      return labels;
    },
  };
  return {
    id: 'usearch',
    name: 'usearch',
    kind: 'hnsw',
    async build(dataset: Dataset) {
      const { dimension } = dataset.spec;
      count = dataset.spec.count;
      config = {
        dimensions: dimension,
        metric: MetricKind.L2sq,
        quantization: ScalarKind.F32,
        connectivity: M,
        expansion_add: efConstruction,
        expansion_search: 64,
        multi: false,
      };
      index = new Index(config);
      const keys = BigUint64Array.from({ length: count }, (_, i) => BigInt(i));
      index.add(keys, dataset.vectors, 1);
      saved = false;
      loadedEf = 64;
      queries = Array.from({ length: dataset.spec.queries }, (_, q) => dataset.queries.subarray(q * dimension, (q + 1) * dimension));
      sel = dataset.sel;
    },
    async savedSize() {
      save();
      return { bytes: statSync(file).size, what: 'save() file' };
    },
    runners: [single],
    filtered,
    dispose() {
      index = undefined;
      queries = [];
      rmSync(file, { force: true });
    },
  };
}
