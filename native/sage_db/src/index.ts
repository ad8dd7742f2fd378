/**
 * @sage/sage-db-native: the FAISS-backed vector index of SageDB (C++ core + node-addon-api binding).
 *
 *   const native = loadSageDbNative();            // throws SAGE_NATIVE with the build command if missing
 *   const index = native.createIndex({ dimension: 384, metric: 'cosine', kind: 'auto' });
 *   const first = await index.add(vectors);
 *   const [hits] = await index.search(query, 10, { efSearch: 128 });
 */
import { invalid } from './errors.js';
import { loadRawSageDbNative } from './loader.js';
import type { RawSageDbNative } from './native-types.js';
import { resolveSettings } from './settings.js';
import type { VectorIndexSettings } from './types.js';
import { VectorIndex } from './vector-index.js';

export { isSageDbError, SageDbError } from './errors.js';
export { BUILD_COMMAND, INSTALL_COMMAND, isSageDbNativeBuilt, sageDbNativePath } from './loader.js';
export { resolveSettings } from './settings.js';
export type {
  ActiveIndex,
  IndexKind,
  IndexParams,
  Metric,
  QueryResult,
  SageDbErrorCode,
  SearchOptions,
  VectorIndexSettings,
} from './types.js';
export { DEFAULT_PARAMS } from './types.js';
export { VectorIndex } from './vector-index.js';

export interface SageDbNative {
  /** FAISS compiled into the addon, e.g. "1.7.3". */
  readonly faissVersion: string;
  /** Distance kernels in use: "avx2" or "generic". */
  readonly simd: 'avx2' | 'generic';
  /** OpenMP threads per call (SAGE_DB_THREADS, default 1). */
  readonly threadsPerCall: number;
  /**
   * Threads the addon runs searches on, shared by every index of the process (SAGE_DB_SEARCH_THREADS,
   * default one less than the CPU count, 1 to 8). Writes, saves and loads run on the libuv pool.
   */
  readonly searchThreads: number;
  /** Version of the index file format `save` writes. */
  readonly fileFormatVersion: number;
  /** A new, empty index. Throws SAGE_DB_INVALID for bad settings. */
  createIndex(settings: VectorIndexSettings): VectorIndex;
  /**
   * Reopens a file written by `VectorIndex.save`. With `expected`, the dimension, metric, kind and build
   * parameters must match (efSearch / nprobe defaults are taken from it). Rejects with SAGE_DB_NOT_INDEX_FILE,
   * SAGE_DB_VERSION, SAGE_DB_CORRUPT, SAGE_DB_SETTINGS_MISMATCH or SAGE_DB_IO; never modifies the file.
   */
  loadIndex(path: string, expected?: VectorIndexSettings): Promise<VectorIndex>;
}

let face: { raw: RawSageDbNative; api: SageDbNative } | undefined;

/** The typed addon. Throws a SageDbError with code SAGE_NATIVE (saying how to build it) when unavailable. */
export function loadSageDbNative(): SageDbNative {
  const raw = loadRawSageDbNative();
  if (face?.raw === raw) return face.api;
  const api: SageDbNative = {
    faissVersion: raw.faissVersion,
    simd: raw.simd,
    threadsPerCall: raw.threadsPerCall,
    searchThreads: raw.searchThreads,
    fileFormatVersion: raw.fileFormatVersion,
    createIndex(settings) {
      return new VectorIndex(new raw.NativeVectorIndex(resolveSettings(settings)));
    },
    async loadIndex(path, expected) {
      if (typeof path !== 'string' || path.length === 0) throw invalid('path must be a non-empty string');
      const settings = expected === undefined ? null : resolveSettings(expected);
      return new VectorIndex(await raw.loadIndex(path, settings));
    },
  };
  face = { raw, api };
  return api;
}
