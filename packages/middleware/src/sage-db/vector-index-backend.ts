import type { IndexKind, IndexParams, Metric } from './types.js';

/**
 * The vector half of a collection: dense vectors under integer labels. Two implementations share this
 * contract: the FAISS index of the native `sage_db` addon, and an exact in-process scan used when the
 * addon is not built. Everything else (ids, metadata, text, filters, BM25, the write-ahead log) lives in
 * TypeScript above it.
 *
 * Labels are assigned by the backend, consecutively from 0 in insertion order, and never reused; removed
 * labels are tombstones until `compact()`.
 */
export interface VectorIndexBackend {
  readonly dimension: number;
  readonly metric: Metric;
  readonly kind: IndexKind;
  /** Live (not removed) vectors. */
  readonly size: number;
  /** The label the next added vector will get (one past the highest label ever assigned). */
  readonly nextLabel: number;

  /**
   * Adds `vectors` (row-major, `count * dimension` floats, already validated as finite) and returns the
   * first label; the others follow consecutively. Cosine collections normalise inside the backend.
   */
  add(vectors: Float32Array): Promise<number>;
  /** Marks labels removed; unknown or already removed labels are ignored. */
  remove(labels: readonly number[]): Promise<void>;
  /** The stored vector of a live label (normalised for cosine), or undefined. */
  vector(label: number): Float32Array | undefined;

  /**
   * Top-k per query (`queries` row-major). With `allowed`, only labels whose bit is set are candidates.
   * May return fewer than k per query when the index cannot find them (HNSW under a tight filter); the
   * caller then falls back to `searchSubset`.
   */
  search(queries: Float32Array, k: number, options?: BackendSearchOptions): Promise<BackendResult[]>;
  /** Exact top-k over exactly the given live labels. */
  searchSubset(queries: Float32Array, k: number, labels: Uint32Array): Promise<BackendResult[]>;
  /** `search` and `searchSubset` on the calling thread (it waits while a write changes the index). */
  searchSync(queries: Float32Array, k: number, options?: BackendSearchOptions): BackendResult[];
  searchSubsetSync(queries: Float32Array, k: number, labels: Uint32Array): BackendResult[];

  /**
   * Rewrites storage without tombstones. Returns, for every old label, its new label or -1 if removed.
   */
  compact(): Promise<Int32Array>;
  /** Writes the backend's state to one file (atomically: temp file, fsync, rename). */
  save(path: string): Promise<void>;
  /** Frees native memory; the backend is unusable afterwards. */
  close(): void;
}

export interface BackendSearchOptions {
  efSearch?: number;
  nprobe?: number;
  /** Bitmap over labels: bit `label % 8` of byte `label >> 3`. */
  allowed?: Uint8Array;
}

/** Results of one query, best first: parallel arrays of labels and scores (higher is closer). */
export interface BackendResult {
  labels: Uint32Array;
  scores: Float32Array;
}

/** What creates or reopens a backend for a collection. */
export interface VectorIndexBackendFactory {
  create(settings: BackendSettings): VectorIndexBackend;
  /** Reopens a file written by `save`; throws a `StorageError` for a corrupt or foreign file. */
  load(path: string, settings: BackendSettings): Promise<VectorIndexBackend>;
}

export interface BackendSettings {
  dimension: number;
  metric: Metric;
  kind: IndexKind;
  params: IndexParams;
}
