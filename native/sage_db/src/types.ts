/** Distance of an index. `cosine` normalises stored vectors and queries and ranks by inner product. */
export type Metric = 'l2' | 'ip' | 'cosine';

/** Index kinds. `auto` is exact while small and builds HNSW once it holds `autoThreshold` live vectors. */
export type IndexKind = 'flat' | 'hnsw' | 'ivf_flat' | 'ivf_pq' | 'auto';

/** What answers `search` right now: IVF is exact until trained, `auto` until it switches. */
export type ActiveIndex = 'exact' | 'hnsw' | 'ivf_flat' | 'ivf_pq';

export interface IndexParams {
  /** HNSW links per node. Default 32. */
  M: number;
  /** HNSW candidate list while building. Default 200. */
  efConstruction: number;
  /** HNSW candidate list while searching (raised to at least k). Default 64. */
  efSearch: number;
  /** IVF lists; 0 picks about 4 * sqrt(n) when the index trains. Default 0. */
  nlist: number;
  /** IVF lists probed per query. Default 16. */
  nprobe: number;
  /** IVF-PQ sub-quantizers (must divide the dimension). Default 8. */
  pqM: number;
  /** IVF-PQ bits per code. Default 8. */
  pqNbits: number;
  /** `auto`: live vectors at which HNSW is built. Default 20,000. */
  autoThreshold: number;
}

/** Defaults of every index parameter (SageDB re-exports them as `DEFAULT_INDEX_PARAMS`). */
export const DEFAULT_PARAMS: Readonly<IndexParams> = Object.freeze({
  M: 32,
  efConstruction: 200,
  efSearch: 64,
  nlist: 0,
  nprobe: 16,
  pqM: 8,
  pqNbits: 8,
  autoThreshold: 20_000,
});

export interface VectorIndexSettings {
  dimension: number;
  metric: Metric;
  kind: IndexKind;
  /** Missing fields take `DEFAULT_PARAMS`. */
  params?: Partial<IndexParams>;
}

export interface SearchOptions {
  /** HNSW candidate list for this call (raised to at least k). */
  efSearch?: number;
  /** IVF lists probed for this call. */
  nprobe?: number;
  /** Bitmap over labels: bit `label % 8` of byte `label >> 3`; labels past its end are excluded. */
  allowed?: Uint8Array;
}

/** One query's results, best first: parallel arrays, scores higher-is-closer. */
export interface QueryResult {
  labels: Uint32Array;
  scores: Float32Array;
}

/** Codes of the errors the addon and its TypeScript face throw (`error.code`). */
export type SageDbErrorCode =
  | 'SAGE_NATIVE'
  | 'SAGE_DB_INVALID'
  | 'SAGE_DB_NOT_INDEX_FILE'
  | 'SAGE_DB_VERSION'
  | 'SAGE_DB_CORRUPT'
  | 'SAGE_DB_SETTINGS_MISMATCH'
  | 'SAGE_DB_IO'
  | 'SAGE_DB_CLOSED'
  | 'SAGE_DB_NO_MEMORY'
  | 'SAGE_DB_INTERNAL';
