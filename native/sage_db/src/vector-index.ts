import { invalid, SageDbError } from './errors.js';
import { LoopPoller, pollBudgetFromEnv } from './loop-poller.js';
import { SearchCoalescer } from './search-coalescer.js';
import type { RawNativeVectorIndex, RawResults } from './native-types.js';
import { checkInteger } from './settings.js';
import type { ActiveIndex, IndexKind, Metric, QueryResult, SearchOptions } from './types.js';

const MAX_K = 2 ** 31 - 1;

/** One per process: searches of every index share the event loop. */
const poller = new LoopPoller(pollBudgetFromEnv());

/**
 * A FAISS-backed vector index living in native memory: dense vectors under consecutive labels (from 0, in
 * insertion order, never reused), tombstones until `compact()`, scores higher-is-closer (l2: negative
 * squared distance; ip/cosine: inner product). Searches run on the addon's search threads, writes on the libuv
 * thread pool: never on the JavaScript thread, except the `…Sync` searches, which run on the caller's.
 *
 * Ordering: writes (`add`, `remove`, `compact`, `save`) take effect in call order even when not awaited
 * (labels follow call order; a `remove` sees the labels of every `add` called before it; `save` writes
 * every earlier write). Searches are not queued behind writes: they run concurrently with each other and with writes and
 * see the writes completed when they start. Arrays passed in are copied at call time.
 *
 * Create it through `loadSageDbNative()`.
 */
export class VectorIndex {
  #raw: RawNativeVectorIndex;
  /** Settles after the last queued write. */
  #writes: Promise<void> = Promise.resolve();
  #pendingWrites = 0;
  readonly #coalescer: SearchCoalescer;

  /** @internal use `SageDbNative.createIndex` / `loadIndex`. */
  constructor(raw: RawNativeVectorIndex) {
    this.#raw = raw;
    this.#coalescer = new SearchCoalescer(raw.dimension, (queries, k, efSearch, nprobe) => raw.search(queries, k, efSearch, nprobe, null));
  }

  get dimension(): number {
    return this.#raw.dimension;
  }
  get metric(): Metric {
    return this.#raw.metric;
  }
  get kind(): IndexKind {
    return this.#raw.kind;
  }
  /** Live (not removed) vectors. */
  get size(): number {
    return this.#raw.size;
  }
  /** The label the next added vector gets. */
  get nextLabel(): number {
    return this.#raw.nextLabel;
  }
  /** Removed labels not yet compacted away. */
  get tombstones(): number {
    return this.#raw.tombstones;
  }
  /** What answers `search` now (`exact` until an IVF index trains or `auto` switches to HNSW). */
  get activeIndex(): ActiveIndex | 'closed' {
    return this.#raw.activeIndex;
  }
  /** IVF lists of the trained index, 0 otherwise. */
  get nlist(): number {
    return this.#raw.nlist;
  }
  get closed(): boolean {
    return this.#raw.closed;
  }

  /** Adds `count * dimension` row-major floats; resolves to the first label. The array is copied. */
  add(vectors: Float32Array): Promise<number> {
    return this.#write(() => {
      this.#rows('vectors', vectors);
      const rows = this.#pendingWrites > 0 ? vectors.slice() : vectors; // the addon copies when it starts
      return () => this.#raw.add(rows);
    });
  }

  /** Marks labels removed; unknown or already removed labels are ignored. Resolves to how many were removed. */
  remove(labels: Uint32Array | readonly number[]): Promise<number> {
    return this.#write(() => {
      const list = toLabels('labels', labels);
      const copy = this.#pendingWrites > 0 && list === labels ? list.slice() : list;
      return () => this.#raw.remove(copy);
    });
  }

  /** The stored vector (normalised for cosine) of a live label, or undefined. */
  vector(label: number): Float32Array | undefined {
    if (!Number.isInteger(label) || label < 0) return undefined;
    return this.#raw.vector(label);
  }

  /** Top-k per query through the active index (may return fewer than k under a tight filter with HNSW). */
  search(queries: Float32Array, k: number, options: SearchOptions = {}): Promise<QueryResult[]> {
    return this.#search(() => {
      const { efSearch, nprobe, allowed } = this.#indexArguments(queries, k, options);
      // Unfiltered single queries made together go to the addon as one batch.
      if (allowed === null && queries.length === this.#raw.dimension) return this.#coalescer.search(queries, k, efSearch, nprobe);
      return this.#raw.search(queries, k, efSearch, nprobe, allowed);
    });
  }

  /**
   * `search` on the calling thread: no thread hand-off, but the JavaScript thread is blocked for the
   * search (and, while a write changes the index, for up to one chunk of that write).
   */
  searchSync(queries: Float32Array, k: number, options: SearchOptions = {}): QueryResult[] {
    const { efSearch, nprobe, allowed } = this.#indexArguments(queries, k, options);
    return split(this.#raw.searchSync(queries, k, efSearch, nprobe, allowed));
  }

  /** Exact top-k over every live vector (optionally only allowed ones), whatever the active index. */
  searchExact(queries: Float32Array, k: number, allowed?: Uint8Array): Promise<QueryResult[]> {
    return this.#search(() => this.#raw.searchExact(queries, k, this.#exactArguments(queries, k, allowed)));
  }

  /** `searchExact` on the calling thread. */
  searchExactSync(queries: Float32Array, k: number, allowed?: Uint8Array): QueryResult[] {
    return split(this.#raw.searchExactSync(queries, k, this.#exactArguments(queries, k, allowed)));
  }

  /** Exact top-k over exactly the given labels (removed, unknown and repeated labels are skipped). */
  searchSubset(queries: Float32Array, k: number, labels: Uint32Array | readonly number[]): Promise<QueryResult[]> {
    return this.#search(() => this.#raw.searchSubset(queries, k, this.#subsetArguments(queries, k, labels)));
  }

  /** `searchSubset` on the calling thread. */
  searchSubsetSync(queries: Float32Array, k: number, labels: Uint32Array | readonly number[]): QueryResult[] {
    return split(this.#raw.searchSubsetSync(queries, k, this.#subsetArguments(queries, k, labels)));
  }

  /** Rewrites storage without tombstones; resolves to old label -> new label, or -1 if removed. */
  compact(): Promise<Int32Array> {
    return this.#write(() => () => this.#raw.compact());
  }

  /** Writes one file atomically (path.tmp, fsync, rename, fsync of the directory). */
  save(path: string): Promise<void> {
    return this.#write(() => {
      if (typeof path !== 'string' || path.length === 0) throw invalid('path must be a non-empty string');
      return () => this.#raw.save(path);
    });
  }

  /**
   * Frees the native memory once running calls finish; later calls (and writes still queued behind a
   * running one) fail with `SAGE_DB_CLOSED`.
   */
  close(): void {
    this.#coalescer.flush();
    this.#raw.close();
  }

  /**
   * Queues a write behind the previous ones. `prepare` runs now (validation, copies) and returns the call
   * to make when the write's turn comes; errors of either become rejections.
   */
  #write<T>(prepare: () => () => Promise<T>): Promise<T> {
    let start: () => Promise<T>;
    try {
      start = prepare();
    } catch (error) {
      return Promise.reject(error);
    }
    const run = this.#pendingWrites === 0 ? invoke(start) : this.#writes.then(() => invoke(start));
    this.#pendingWrites++;
    this.#writes = run.then(
      () => {
        this.#pendingWrites--;
      },
      () => {
        this.#pendingWrites--;
      },
    );
    return run;
  }

  /** Validation errors become rejections; no async wrapper on the hot path (one promise reaction less). */
  #search(start: () => Promise<RawResults>): Promise<QueryResult[]> {
    let raw: Promise<RawResults>;
    try {
      raw = start();
    } catch (error) {
      return Promise.reject(error);
    }
    return poller.track(raw).then(split);
  }

  #indexArguments(queries: Float32Array, k: number, options: SearchOptions) {
    this.#rows('queries', queries);
    checkInteger('k', k, 0, MAX_K);
    const efSearch = options.efSearch === undefined ? 0 : checkInteger('efSearch', options.efSearch, 1, 1 << 20);
    const nprobe = options.nprobe === undefined ? 0 : checkInteger('nprobe', options.nprobe, 1, 1 << 20);
    if (options.allowed !== undefined && !(options.allowed instanceof Uint8Array)) throw invalid('allowed must be a Uint8Array bitmap');
    return { efSearch, nprobe, allowed: options.allowed ?? null };
  }

  #exactArguments(queries: Float32Array, k: number, allowed: Uint8Array | undefined): Uint8Array | null {
    this.#rows('queries', queries);
    checkInteger('k', k, 0, MAX_K);
    if (allowed !== undefined && !(allowed instanceof Uint8Array)) throw invalid('allowed must be a Uint8Array bitmap');
    return allowed ?? null;
  }

  #subsetArguments(queries: Float32Array, k: number, labels: Uint32Array | readonly number[]): Uint32Array {
    this.#rows('queries', queries);
    checkInteger('k', k, 0, MAX_K);
    return toLabels('labels', labels);
  }

  #rows(name: string, values: Float32Array): void {
    if (this.#raw.closed) throw new SageDbError('SAGE_DB_CLOSED', 'this vector index was closed');
    if (!(values instanceof Float32Array)) throw invalid(`${name} must be a Float32Array`);
    if (values.length % this.#raw.dimension !== 0) {
      throw invalid(
        `${name} has ${values.length} floats, not a multiple of the dimension ${this.#raw.dimension}`,
      );
    }
  }
}

function invoke<T>(start: () => Promise<T>): Promise<T> {
  try {
    return start();
  } catch (error) {
    return Promise.reject(error);
  }
}

/** Labels as a Uint32Array; entries that cannot be labels are left out, like unknown labels. */
function toLabels(name: string, labels: Uint32Array | readonly number[]): Uint32Array {
  if (labels instanceof Uint32Array) return labels;
  if (!Array.isArray(labels)) throw invalid(`${name} must be a Uint32Array or an array of labels`);
  const out: number[] = [];
  for (const label of labels) {
    if (typeof label === 'number' && Number.isInteger(label) && label >= 0 && label <= 0xffff_ffff) out.push(label);
  }
  return Uint32Array.from(out);
}

/** Per-query views over the flat result arrays (no copies). */
function split(raw: RawResults): QueryResult[] {
  const nq = raw.offsets.length - 1;
  const out: QueryResult[] = new Array(nq);
  for (let q = 0; q < nq; q++) {
    const from = raw.offsets[q];
    const to = raw.offsets[q + 1];
    out[q] = { labels: raw.labels.subarray(from, to), scores: raw.scores.subarray(from, to) };
  }
  return out;
}
