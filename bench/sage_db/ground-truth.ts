/**
 * Exact top-k for every query, unfiltered and under each selectivity filter (`sel < threshold`), computed
 * in one pass over the base vectors per query with the pure-JS kernel (an oracle independent of every
 * contender), and cached in a file under os.tmpdir() keyed by the dataset parameters.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Dataset, GENERATOR_VERSION, SELECTIVITIES } from './dataset.js';
import { squaredL2, TopK } from './top-k.js';

export interface GroundTruth {
  k: number;
  /** `queries * k` labels, closest first. */
  unfiltered: Int32Array;
  /** Per entry of SELECTIVITIES: `queries * k` labels, `-1`-padded when fewer than k records match. */
  filtered: Int32Array[];
  /** Per entry of SELECTIVITIES: how many records match. */
  matches: number[];
  /** Where the cache file is, and whether it was read from there. */
  file: string;
  cached: boolean;
  seconds: number;
}

export async function groundTruth(dataset: Dataset, k: number, useCache: boolean, log: (line: string) => void): Promise<GroundTruth> {
  const { count, dimension, queries, clusters, seed } = dataset.spec;
  const directory = join(tmpdir(), 'sage-db-bench');
  const file = join(directory, `gt-v${GENERATOR_VERSION}-${count}x${dimension}-q${queries}-c${clusters}-s${seed}-k${k}.bin`);
  const lists = SELECTIVITIES.length + 1;
  const matches = SELECTIVITIES.map(({ threshold }) => dataset.sel.reduce((n, sel) => n + (sel < threshold ? 1 : 0), 0));
  if (useCache) {
    const bytes = await readFile(file).catch(() => undefined);
    if (bytes !== undefined && bytes.byteLength === lists * queries * k * 4) {
      const all = new Int32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4).slice();
      const part = (index: number) => all.subarray(index * queries * k, (index + 1) * queries * k);
      return { k, unfiltered: part(0), filtered: SELECTIVITIES.map((_, i) => part(i + 1)), matches, file, cached: true, seconds: 0 };
    }
  }
  const started = performance.now();
  const all = new Int32Array(lists * queries * k);
  let lastLog = started;
  for (let q = 0; q < queries; q++) {
    const labels = exactTopKAllFilters(dataset, q, k);
    labels.forEach((list, index) => {
      all.set(list, (index * queries + q) * k);
    });
    if (performance.now() - lastLog > 10_000) {
      lastLog = performance.now();
      log(`  ground truth: ${q + 1}/${queries} queries (${((lastLog - started) / 1000).toFixed(0)} s)`);
    }
  }
  const seconds = (performance.now() - started) / 1000;
  await mkdir(directory, { recursive: true });
  await writeFile(`${file}.tmp`, new Uint8Array(all.buffer));
  await rename(`${file}.tmp`, file);
  const part = (index: number) => all.subarray(index * queries * k, (index + 1) * queries * k);
  return { k, unfiltered: part(0), filtered: SELECTIVITIES.map((_, i) => part(i + 1)), matches, file, cached: false, seconds };
}

/** One scan of the base for query `q`: the unfiltered top-k and the top-k of every selectivity. */
function exactTopKAllFilters(dataset: Dataset, q: number, k: number): Int32Array[] {
  const { vectors, sel } = dataset;
  const { count, dimension } = dataset.spec;
  const query = dataset.queries.subarray(q * dimension, (q + 1) * dimension);
  const thresholds = SELECTIVITIES.map((s) => s.threshold);
  const heaps = [new TopK(k), ...thresholds.map(() => new TopK(k))];
  for (let i = 0, offset = 0; i < count; i++, offset += dimension) {
    const distance = squaredL2(vectors, offset, query, dimension);
    if (distance < heaps[0]!.bound) heaps[0]!.push(i, distance);
    const s = sel[i]!;
    for (let f = 0; f < thresholds.length; f++) {
      if (s >= thresholds[f]!) break; // thresholds decrease: once one fails, the rest fail too
      const heap = heaps[f + 1]!;
      if (distance < heap.bound) heap.push(i, distance);
    }
  }
  return heaps.map((heap) => heap.sortedLabels());
}
