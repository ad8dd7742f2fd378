/**
 * The FAISS `VectorIndexBackend`: a thin adapter over the native `sage_db` addon (`@sage/sage-db-native`).
 * Labels, tombstones, the index kinds, cosine normalisation, concurrency and the file format all live in
 * the addon; this file only maps shapes and errors:
 *  - SAGE_DB_INVALID (bad argument, non-finite component, dimension mismatch) -> `ValidationError`;
 *  - SAGE_NATIVE (addon not built or not loadable) -> `SageError('SAGE_NATIVE')` whose message names the
 *    build command;
 *  - every other native error (SAGE_DB_CORRUPT, SAGE_DB_NOT_INDEX_FILE, SAGE_DB_VERSION,
 *    SAGE_DB_SETTINGS_MISMATCH, SAGE_DB_IO, SAGE_DB_CLOSED, …) is rethrown unchanged, `code` and `path`
 *    included, for the caller to map to its storage error.
 *
 * The addon is loaded on the first `create`/`load`, so importing this module never fails.
 */
import { SageError, ValidationError } from '@sage/common';
import { isSageDbError, loadSageDbNative, type VectorIndex } from '@sage/sage-db-native';
import type { IndexKind, Metric } from './types.js';
import type {
  BackendResult,
  BackendSearchOptions,
  BackendSettings,
  VectorIndexBackend,
  VectorIndexBackendFactory,
} from './vector-index-backend.js';

export const faissBackendFactory: VectorIndexBackendFactory = {
  create(settings: BackendSettings): VectorIndexBackend {
    return new FaissBackend(guard(() => loadSageDbNative().createIndex(toNativeSettings(settings))));
  },

  async load(path: string, settings: BackendSettings): Promise<VectorIndexBackend> {
    const native = guard(() => loadSageDbNative());
    return new FaissBackend(await guardAsync(() => native.loadIndex(path, toNativeSettings(settings))));
  },
};

class FaissBackend implements VectorIndexBackend {
  readonly #index: VectorIndex;

  constructor(index: VectorIndex) {
    this.#index = index;
  }

  get dimension(): number {
    return this.#index.dimension;
  }
  get metric(): Metric {
    return this.#index.metric;
  }
  get kind(): IndexKind {
    return this.#index.kind;
  }
  get size(): number {
    return this.#index.size;
  }
  get nextLabel(): number {
    return this.#index.nextLabel;
  }

  add(vectors: Float32Array): Promise<number> {
    return guardAsync(() => this.#index.add(vectors));
  }

  async remove(labels: readonly number[]): Promise<void> {
    await guardAsync(() => this.#index.remove(labels));
  }

  vector(label: number): Float32Array | undefined {
    return guard(() => this.#index.vector(label));
  }

  search(queries: Float32Array, k: number, options: BackendSearchOptions = {}): Promise<BackendResult[]> {
    // The hot path: one promise reaction instead of an async wrapper.
    try {
      return this.#index.search(queries, k, options).then(undefined, rethrowConverted);
    } catch (error) {
      return Promise.reject(convert(error));
    }
  }

  searchSync(queries: Float32Array, k: number, options: BackendSearchOptions = {}): BackendResult[] {
    return guard(() => this.#index.searchSync(queries, k, options));
  }

  searchSubset(queries: Float32Array, k: number, labels: Uint32Array): Promise<BackendResult[]> {
    return guardAsync(() => this.#index.searchSubset(queries, k, labels));
  }

  searchSubsetSync(queries: Float32Array, k: number, labels: Uint32Array): BackendResult[] {
    return guard(() => this.#index.searchSubsetSync(queries, k, labels));
  }

  compact(): Promise<Int32Array> {
    return guardAsync(() => this.#index.compact());
  }

  save(path: string): Promise<void> {
    return guardAsync(() => this.#index.save(path));
  }

  close(): void {
    this.#index.close();
  }
}

function toNativeSettings(settings: BackendSettings) {
  if (typeof settings !== 'object' || settings === null) throw new ValidationError('backend settings must be an object');
  return { dimension: settings.dimension, metric: settings.metric, kind: settings.kind, params: settings.params };
}

function convert(error: unknown): unknown {
  if (!isSageDbError(error)) return error;
  if (error.code === 'SAGE_DB_INVALID') return new ValidationError(error.message, { cause: error });
  if (error.code === 'SAGE_NATIVE') {
    return new SageError('SAGE_NATIVE', error.message, { cause: error, details: { path: error.path } });
  }
  return error;
}

function rethrowConverted(error: unknown): never {
  throw convert(error);
}

function guard<T>(fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    throw convert(error);
  }
}

async function guardAsync<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw convert(error);
  }
}
