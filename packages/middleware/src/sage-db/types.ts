/**
 * The public shapes of SageDB, the vector database: collections of records (string id, vector, metadata,
 * optional text) searchable by vector, by metadata filter, by BM25 keywords, or by both fused.
 */

/** Distance used by a collection. `cosine` normalises vectors and ranks by inner product. */
export type Metric = 'l2' | 'ip' | 'cosine';

/** Index kinds. `auto` is exact (`flat`) while small and becomes `hnsw` past `autoThreshold` records. */
export type IndexKind = 'flat' | 'hnsw' | 'ivf_flat' | 'ivf_pq' | 'auto';

/** Index parameters; every field has a documented default (see `DEFAULT_INDEX_PARAMS`). */
export interface IndexParams {
  /** HNSW: links per node. Default 32. */
  M: number;
  /** HNSW: candidate list size while building. Default 200. */
  efConstruction: number;
  /** HNSW: candidate list size while searching (raised to at least k). Default 64. */
  efSearch: number;
  /** IVF: number of lists; 0 picks about 4 * sqrt(n) when the index trains. Default 0. */
  nlist: number;
  /** IVF: lists probed per query. Default 16. */
  nprobe: number;
  /** IVF-PQ: sub-quantizers (must divide the dimension). Default 8. */
  pqM: number;
  /** IVF-PQ: bits per sub-quantizer code. Default 8. */
  pqNbits: number;
  /** `auto`: record count at which the collection switches from exact search to HNSW. Default 20,000. */
  autoThreshold: number;
}

export const DEFAULT_INDEX_PARAMS: Readonly<IndexParams> = Object.freeze({
  M: 32,
  efConstruction: 200,
  efSearch: 64,
  nlist: 0,
  nprobe: 16,
  pqM: 8,
  pqNbits: 8,
  autoThreshold: 20_000,
});

export interface CollectionOptions {
  dimension: number;
  /** Default `cosine`. */
  metric?: Metric;
  /** Default `auto`. */
  index?: IndexKind;
  indexParams?: Partial<IndexParams>;
}

/** A metadata value: string, finite number, boolean, or a list of strings. */
export type MetadataValue = string | number | boolean | string[];
export type Metadata = Record<string, MetadataValue>;

/** A record as given to `upsert`. */
export interface RecordInput {
  /** Chosen by the user; generated (a random UUID) when missing. */
  id?: string;
  vector: Float32Array | readonly number[];
  metadata?: Metadata;
  text?: string;
}

/** A stored record as returned by `get`. */
export interface StoredRecord {
  id: string;
  vector: Float32Array;
  metadata: Metadata;
  text?: string;
}

/**
 * A metadata filter in the form known from Qdrant, Chroma and MongoDB:
 * `{ year: { $gte: 2020 }, tag: { $in: ['a', 'b'] }, $or: [{ lang: 'en' }, { lang: 'fr' }] }`.
 * Field operators: `$eq` (also a bare value), `$ne`, `$gt`, `$gte`, `$lt`, `$lte`, `$in`, `$nin`, `$exists`,
 * and for string-list fields `$contains` (one value) / `$in` (any of). Logical: `$and`, `$or`, `$not`.
 */
export type Filter = { [field: string]: unknown };

export interface SearchOptions {
  /** Number of results; default 10. Exactly `min(k, matching records)` are returned. */
  k?: number;
  filter?: Filter;
  /** Per-query override of the HNSW search list size. */
  efSearch?: number;
  /** Per-query override of the IVF lists probed. */
  nprobe?: number;
  /** Include the stored vector in each hit; default false. */
  includeVector?: boolean;
  /**
   * How a filtered search runs: `auto` (default) picks by the share of matching records, `exact` scans the
   * matching records, `index` searches inside the index restricted to them (completed exactly if short).
   */
  strategy?: SearchStrategy;
}

export type SearchStrategy = 'auto' | 'exact' | 'index';

/** A search result. `score`: higher is closer (similarity for ip/cosine, negative squared distance for l2). */
export interface Hit {
  id: string;
  score: number;
  metadata: Metadata;
  text?: string;
  vector?: Float32Array;
}

export type Fusion = 'rrf' | 'weighted';

export interface HybridSearchOptions {
  vector: Float32Array | readonly number[];
  text: string;
  k?: number;
  filter?: Filter;
  /** Default `rrf`. */
  fusion?: Fusion;
  /** RRF constant; default 60. */
  rrfK?: number;
  /** Weighted fusion: weight of the vector side in [0, 1]; default 0.5. */
  vectorWeight?: number;
  /** Candidates taken from each side before fusion; default max(50, 4k). */
  candidates?: number;
}

export interface KeywordSearchOptions {
  k?: number;
  filter?: Filter;
}

export interface CollectionInfo {
  name: string;
  dimension: number;
  metric: Metric;
  index: IndexKind;
  indexParams: IndexParams;
  count: number;
}
