/**
 * The SageDB native layer alone: the faiss `VectorIndexBackend` that collections sit on (loaded from the
 * built @sage/middleware, where it is internal), fed the dataset's Float32Array directly. Comparing it with
 * the TypeScript face separates the cost of ids, metadata, the write-ahead log and the JS wrappers from the
 * N-API call and FAISS itself.
 */
import { DEFAULT_INDEX_PARAMS } from '@sage/middleware';
import type { Dataset } from '../dataset.js';
import type { Contender, Pass, Runner } from './contender.js';

/** The parts of `VectorIndexBackend` (packages/middleware/src/sage-db/vector-index-backend.ts) used here. */
interface BackendResult {
  labels: Uint32Array;
  scores: Float32Array;
}
interface Backend {
  add(vectors: Float32Array): Promise<number>;
  search(queries: Float32Array, k: number, options?: { efSearch?: number }): Promise<BackendResult[]>;
  close(): void;
}
interface BackendFactory {
  create(settings: { dimension: number; metric: 'l2'; kind: 'hnsw' | 'flat'; params: typeof DEFAULT_INDEX_PARAMS }): Backend;
}

async function faissFactory(): Promise<BackendFactory> {
  const entry = import.meta.resolve('@sage/middleware'); // .../packages/middleware/dist/index.js
  const module = (await import(new URL('./sage-db/faiss-backend.js', entry).href)) as { faissBackendFactory: BackendFactory };
  return module.faissBackendFactory;
}

export function sageNativeContender(kind: 'hnsw' | 'flat', M: number, efConstruction: number): Contender {
  const name = kind === 'hnsw' ? 'SageDB native layer HNSW' : 'SageDB native layer flat';
  let backend: Backend | undefined;
  let queries: Float32Array[] = [];
  let allQueries: Float32Array = new Float32Array(0);
  let dimension = 0;
  const decode = (result: BackendResult) => result.labels;
  const efSearch = (ef: number) => (kind === 'hnsw' ? { efSearch: ef } : {});
  const single: Runner<BackendResult> = {
    name,
    async run({ k, ef, count }: Pass) {
      const out: BackendResult[] = new Array(count);
      for (let q = 0; q < count; q++) out[q] = (await backend!.search(queries[q]!, k, efSearch(ef)))[0]!;
      return out;
    },
    decode,
  };
  const batch: Runner<BackendResult> = {
    name: `${name} (batch)`,
    run: ({ k, ef, count }: Pass) => backend!.search(allQueries.subarray(0, count * dimension), k, efSearch(ef)),
    decode,
  };
  return {
    id: kind === 'hnsw' ? 'sage-native' : 'sage-native-flat',
    name,
    kind: kind === 'hnsw' ? 'hnsw' : 'exact',
    async build(dataset: Dataset) {
      dimension = dataset.spec.dimension;
      const factory = await faissFactory();
      backend = factory.create({ dimension, metric: 'l2', kind, params: { ...DEFAULT_INDEX_PARAMS, M, efConstruction } });
      const first = await backend.add(dataset.vectors);
      if (first !== 0) throw new Error(`${name}: expected the first label to be 0, got ${first}`);
      allQueries = dataset.queries;
      queries = Array.from({ length: dataset.spec.queries }, (_, q) => dataset.queries.subarray(q * dimension, (q + 1) * dimension));
    },
    runners: kind === 'hnsw' ? [single, batch] : [single],
    dispose() {
      backend?.close();
      backend = undefined;
      queries = [];
    },
  };
}
