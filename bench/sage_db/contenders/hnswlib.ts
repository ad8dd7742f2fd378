/**
 * hnswlib-node (HierarchicalNSW): vectors and queries must be plain number arrays, so queries are
 * converted once outside the clock; building converts each vector inside the clock (it is part of the
 * API's cost, and small next to an insertion). Filtered search uses its label callback.
 */
import { statSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import hnswlib from 'hnswlib-node';
import type { Dataset } from '../dataset.js';
import type { Contender, Pass, Runner } from './contender.js';

type Result = { neighbors: number[]; distances: number[] };
type Index = InstanceType<typeof hnswlib.HierarchicalNSW>;

export function hnswlibContender(M: number, efConstruction: number): Contender {
  let index: Index | undefined;
  let queries: number[][] = [];
  let sel: Uint16Array = new Uint16Array(0);
  let currentEf = -1;
  const setEf = (ef: number) => {
    if (ef !== currentEf) index!.setEf(ef);
    currentEf = ef;
  };
  const decode = (raw: Result) => raw.neighbors;
  const single: Runner<Result> = {
    name: 'hnswlib-node',
    prepare: setEf,
    async run({ k, count }: Pass) {
      const out: Result[] = new Array(count);
      for (let q = 0; q < count; q++) out[q] = index!.searchKnn(queries[q]!, k);
      return out;
    },
    decode,
  };
  const filtered: Runner<Result> & { how: string } = {
    name: 'hnswlib-node',
    how: 'filter callback `(label) => sel[label] < t` during graph search',
    prepare: setEf,
    async run({ k, count, threshold }: Pass) {
      const allowed = (label: number) => sel[label]! < threshold!;
      const out: Result[] = new Array(count);
      for (let q = 0; q < count; q++) out[q] = index!.searchKnn(queries[q]!, k, allowed);
      return out;
    },
    decode,
  };
  return {
    id: 'hnswlib',
    name: 'hnswlib-node',
    kind: 'hnsw',
    async build(dataset: Dataset) {
      const { count, dimension } = dataset.spec;
      index = new hnswlib.HierarchicalNSW('l2', dimension);
      index.initIndex({ maxElements: count, m: M, efConstruction, randomSeed: 100 });
      for (let i = 0; i < count; i++) index.addPoint(Array.from(dataset.vectors.subarray(i * dimension, (i + 1) * dimension)), i);
      queries = Array.from({ length: dataset.spec.queries }, (_, q) => Array.from(dataset.queries.subarray(q * dimension, (q + 1) * dimension)));
      sel = dataset.sel;
      currentEf = -1;
    },
    async savedSize() {
      const file = join(tmpdir(), `sage-db-bench-hnswlib-${process.pid}.bin`);
      index!.writeIndexSync(file);
      const bytes = statSync(file).size;
      unlinkSync(file);
      return { bytes, what: 'writeIndex file' };
    },
    runners: [single],
    filtered,
    dispose() {
      index = undefined;
      queries = [];
    },
  };
}
