/**
 * The public shapes of SageDB, the vector database: collections of records (string id, vector, metadata,
 * optional text) searchable by vector, by metadata filter, by BM25 keywords, or by both fused.
 */

import { DEFAULT_PARAMS, type IndexKind, type IndexParams, type Metric } from '@sage/sage-db-native';

/**
 * Distance (`l2`, `ip`, `cosine`: normalised vectors ranked by inner product), index kinds (`flat`, `hnsw`,
 * `ivf_flat`, `ivf_pq`, `auto`: exact while small, HNSW past `autoThreshold`) and index parameters are
 * those of the native index; see docs/sage-db.md for the defaults.
 */
export type { IndexKind, IndexParams, Metric };

/** Defaults of every index parameter (M 32, efConstruction 200, efSearch 64, nlist 0, nprobe 16, pqM 8, pqNbits 8, autoThreshold 20,000). */
export const DEFAULT_INDEX_PARAMS: Readonly<IndexParams> = DEFAULT_PARAMS;

export interface CollectionOptions {
  dimension: number;
  /** Default `cosine`. */
  metric?: Metric;
  /** Default `auto`. */
  index?: IndexKind;
  indexParams?: Partial<IndexParams>;
  /**
   * Labels describing the collection itself (e.g. the embedding model that made its vectors), stored with it
   * and returned by `describeCollection`. Same value types as record metadata.
   */
  metadata?: Metadata;
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
  /** The labels given at creation (`{}` when none). */
  metadata: Metadata;
}
