/**
 * The raw shape of the compiled addon (`build/Release/sage_db_native.node`, binding/*.cc). Only the
 * TypeScript face talks to it; nothing here validates or fills defaults.
 */
import type { IndexKind, IndexParams, Metric } from './types.js';

/** The flat settings object the binding reads: the index kind and metric plus every parameter. */
export type RawSettings = { dimension: number; metric: Metric; kind: IndexKind } & IndexParams;

/** All queries' results in two flat arrays; query q owns `[offsets[q], offsets[q + 1])`. */
export interface RawResults {
  labels: Uint32Array;
  scores: Float32Array;
  offsets: Uint32Array;
}

export interface RawNativeVectorIndex {
  readonly dimension: number;
  readonly metric: Metric;
  readonly kind: IndexKind;
  readonly size: number;
  readonly nextLabel: number;
  readonly tombstones: number;
  readonly activeIndex: 'exact' | 'hnsw' | 'ivf_flat' | 'ivf_pq' | 'closed';
  readonly nlist: number;
  readonly closed: boolean;
  add(vectors: Float32Array): Promise<number>;
  remove(labels: Uint32Array): Promise<number>;
  vector(label: number): Float32Array | undefined;
  search(queries: Float32Array, k: number, efSearch: number, nprobe: number, allowed: Uint8Array | null): Promise<RawResults>;
  searchExact(queries: Float32Array, k: number, allowed: Uint8Array | null): Promise<RawResults>;
  searchSubset(queries: Float32Array, k: number, labels: Uint32Array): Promise<RawResults>;
  searchSync(queries: Float32Array, k: number, efSearch: number, nprobe: number, allowed: Uint8Array | null): RawResults;
  searchExactSync(queries: Float32Array, k: number, allowed: Uint8Array | null): RawResults;
  searchSubsetSync(queries: Float32Array, k: number, labels: Uint32Array): RawResults;
  compact(): Promise<Int32Array>;
  save(path: string): Promise<void>;
  close(): void;
}

export interface RawSageDbNative {
  NativeVectorIndex: new (settings: RawSettings) => RawNativeVectorIndex;
  loadIndex(path: string, expected: RawSettings | null): Promise<RawNativeVectorIndex>;
  readonly faissVersion: string;
  readonly simd: 'avx2' | 'generic';
  readonly threadsPerCall: number;
  readonly searchThreads: number;
  readonly fileFormatVersion: number;
  readonly napiVersion: number;
}
