/**
 * SageDB through its public TypeScript face (`@sage/middleware`), faiss backend: an `hnsw` collection
 * (searched one awaited query at a time, with `searchSync` on the JavaScript thread as the peers do, by 8
 * concurrent callers, and with `searchBatch`) or a `flat` (exact) one. Building is what a user
 * does: `upsert` in batches of 10,000 records (string ids, `{ sel }` metadata), each durable in the
 * write-ahead log before it resolves. The database lives in a temporary directory removed on dispose.
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Collection, type Hit, SageDB } from '@sage/middleware';
import type { Dataset } from '../dataset.js';
import type { Contender, Pass, Runner } from './contender.js';

const UPSERT_BATCH = 10_000;
const IN_FLIGHT = 8;

export function sageDbContender(kind: 'hnsw' | 'flat', M: number, efConstruction: number): Contender {
  const name = kind === 'hnsw' ? 'SageDB HNSW' : 'SageDB flat';
  let directory: string | undefined;
  let db: SageDB | undefined;
  let collection: Collection | undefined;
  let queries: Float32Array[] = [];
  const decode = (hits: Hit[]) => hits.map((hit) => Number(hit.id));
  /** A flat collection has no efSearch: leave it out rather than pass a meaningless value. */
  const efSearch = (ef: number) => (kind === 'hnsw' ? { efSearch: ef } : {});

  const single: Runner<Hit[]> = {
    name,
    async run({ k, ef, count, threshold }: Pass) {
      const options = { k, ...efSearch(ef), ...(threshold === undefined ? {} : { filter: { sel: { $lt: threshold } } }) };
      const out: Hit[][] = new Array(count);
      for (let q = 0; q < count; q++) out[q] = await collection!.search(queries[q]!, options);
      return out;
    },
    decode,
  };
  /** One query at a time on the JavaScript thread, like the peers' synchronous searches. */
  const onCaller: Runner<Hit[]> = {
    name: `${name} (searchSync)`,
    async run({ k, ef, count }: Pass) {
      const options = { k, ...efSearch(ef) };
      const out: Hit[][] = new Array(count);
      for (let q = 0; q < count; q++) out[q] = collection!.searchSync(queries[q]!, options);
      return out;
    },
    decode,
  };
  /** Callers awaiting their own queries at once (an async map with concurrency 8); still one search thread. */
  const concurrent: Runner<Hit[]> = {
    name: `${name} (${IN_FLIGHT} callers)`,
    async run({ k, ef, count }: Pass) {
      const options = { k, ...efSearch(ef) };
      const out: Hit[][] = new Array(count);
      let next = 0;
      const caller = async () => {
        for (let q = next++; q < count; q = next++) out[q] = await collection!.search(queries[q]!, options);
      };
      await Promise.all(Array.from({ length: IN_FLIGHT }, caller));
      return out;
    },
    decode,
  };
  const batch: Runner<Hit[]> = {
    name: `${name} (searchBatch)`,
    run: ({ k, ef, count }: Pass) => collection!.searchBatch(queries.slice(0, count), { k, ...efSearch(ef) }),
    decode,
  };
  return {
    id: kind === 'hnsw' ? 'sage-hnsw' : 'sage-flat',
    name,
    kind: kind === 'hnsw' ? 'hnsw' : 'exact',
    async build(dataset: Dataset) {
      const { count, dimension } = dataset.spec;
      directory = mkdtempSync(join(tmpdir(), `sage-db-bench-${kind}-`));
      db = await SageDB.open(directory, { backend: 'faiss' });
      collection = await db.createCollection('bench', {
        dimension,
        metric: 'l2',
        index: kind,
        ...(kind === 'hnsw' ? { indexParams: { M, efConstruction } } : {}),
      });
      for (let start = 0; start < count; start += UPSERT_BATCH) {
        const end = Math.min(count, start + UPSERT_BATCH);
        const ids: string[] = [];
        const metadatas: Array<{ sel: number }> = [];
        for (let i = start; i < end; i++) {
          ids.push(String(i));
          metadatas.push({ sel: dataset.sel[i]! });
        }
        await collection.upsert({ ids, vectors: dataset.vectors.subarray(start * dimension, end * dimension), metadatas });
      }
      queries = Array.from({ length: dataset.spec.queries }, (_, q) => dataset.queries.subarray(q * dimension, (q + 1) * dimension));
    },
    async savedSize() {
      await collection!.checkpoint();
      return { bytes: directorySize(directory!), what: 'collection directory after checkpoint()' };
    },
    runners: kind === 'hnsw' ? [single, onCaller, concurrent, batch] : [single],
    filtered: { ...single, how: 'SageDB filter `{ sel: { $lt: t } }`' },
    async dispose() {
      await db?.close();
      db = undefined;
      collection = undefined;
      queries = [];
      if (directory !== undefined) rmSync(directory, { recursive: true, force: true });
    },
  };
}

function directorySize(path: string): number {
  let total = 0;
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    const full = join(path, entry.name);
    total += entry.isDirectory() ? directorySize(full) : statSync(full).size;
  }
  return total;
}
