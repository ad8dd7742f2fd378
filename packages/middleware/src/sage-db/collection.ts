import { ValidationError } from '@sage/common';
import { completeShortResults, type FilteredSearchParams, searchMatching } from './filtered-search.js';
import { type RankedList, fuseRrf, fuseWeighted } from './fusion.js';
import { MatchingCache, type MatchingSet } from './matching-cache.js';
import { type ColumnBatch, prepareBatch, prepareQuery, writeVector } from './record-input.js';
import type { RecordStore } from './record-store.js';
import { indexCall, runPlan, runPlanSync, type SearchPlan } from './search-plan.js';
import type { CollectionStorage } from './storage/collection-storage.js';
import type { WalOperation } from './storage/wal-codec.js';
import type {
  CollectionInfo,
  Filter,
  Hit,
  HybridSearchOptions,
  KeywordSearchOptions,
  RecordInput,
  SearchOptions,
  StoredRecord,
} from './types.js';
import type { BackendResult, VectorIndexBackend } from './vector-index-backend.js';

const MAX_K = 10_000;

/**
 * A named set of records with one vector dimension and metric. Writes are applied one at a time, each
 * logged durably before it is acknowledged; searches run concurrently with them, off the JavaScript
 * thread when the native backend is in use.
 */
export class Collection {
  private writing: Promise<unknown> = Promise.resolve();
  private closed = false;
  private readonly matchingCache: MatchingCache;

  /** @internal created by `SageDB` */
  constructor(
    private readonly storage: CollectionStorage,
    private readonly store: RecordStore,
  ) {
    this.matchingCache = new MatchingCache(store.metadataIndex);
  }

  get name(): string {
    return this.storage.name;
  }

  /** Live records. */
  get count(): number {
    return this.store.count;
  }

  info(): CollectionInfo {
    const { dimension, metric, kind, params } = this.storage.settings;
    return { name: this.name, dimension, metric, index: kind, indexParams: { ...params }, count: this.count, metadata: this.storage.metadata };
  }

  /** Adds or replaces records (by id); resolves with their ids once the write is durable. */
  upsert(records: readonly RecordInput[] | ColumnBatch): Promise<string[]> {
    const batch = prepareBatch(`upsert into "${this.name}"`, this.storage.settings.dimension, records);
    const operation: WalOperation = {
      op: 'upsert',
      records: batch.ids.map((id, index) => ({
        id,
        vector: batch.vectors.subarray(index * this.dimension, (index + 1) * this.dimension),
        metadata: batch.metadata[index]!,
        ...(batch.texts[index] === undefined ? {} : { text: batch.texts[index] }),
      })),
    };
    return this.write(operation, () => this.store.upsert(batch.ids, batch.vectors, batch.metadata, batch.texts)).then(
      () => batch.ids,
    );
  }

  /** Deletes records by id; resolves with how many existed, once the write is durable. */
  delete(ids: readonly string[]): Promise<number> {
    if (!Array.isArray(ids) || ids.some((id) => typeof id !== 'string')) {
      throw new ValidationError(`delete from "${this.name}": ids must be an array of strings`);
    }
    return this.write({ op: 'delete', ids: [...ids] }, () => this.store.delete(ids));
  }

  get(id: string): StoredRecord | undefined {
    return this.store.record(id);
  }

  /** The ids of all records, in no particular order. */
  ids(): string[] {
    return this.store.ids();
  }

  /** The `k` records closest to `vector` (among those matching `filter`), best first. */
  search(vector: Float32Array | readonly number[], options: SearchOptions = {}): Promise<Hit[]> {
    // The one-query path skips the batch bookkeeping: a single search is often a few tens of µs.
    return this.searchQueries((where) => prepareQuery(where, this.dimension, vector), options).then((hits) => hits[0]!);
  }

  /** `search` for many query vectors in one call (one trip off the JavaScript thread). */
  searchBatch(vectors: readonly (Float32Array | readonly number[])[], options: SearchOptions = {}): Promise<Hit[][]> {
    return this.searchQueries((where) => {
      const queries = new Float32Array(vectors.length * this.dimension);
      vectors.forEach((vector, index) => {
        writeVector(`${where}: query ${index}`, this.dimension, vector, queries, index * this.dimension);
      });
      return queries;
    }, options);
  }

  private async searchQueries(prepare: (where: string) => Float32Array, options: SearchOptions): Promise<Hit[][]> {
    this.assertOpen();
    const where = `search in "${this.name}"`;
    const queries = prepare(where);
    const k = checkK(where, options.k);
    const matching = options.filter === undefined ? undefined : this.matching(options.filter);
    // A search running while a write is applied can see labels this store does not know yet (added) or any
    // more (deleted), and drops them; once the writes in progress are done, searching again gives exactly k.
    for (let attempt = 0; ; attempt++) {
      const results = await runPlan(this.store.backend, this.planLabels(queries, k, options, matching));
      const hits = results.map((result) => this.toHits(result, k, options.includeVector ?? false));
      if (attempt === 2 || hits.every((list, index) => list.length === results[index]!.labels.length)) return hits;
      await this.writing;
    }
  }

  /**
   * `search` on the calling thread: no hand-off to a search thread and back, which on a small or virtual
   * machine costs more than an HNSW query, but the JavaScript thread is blocked for the search (and, while a
   * write changes the index, for up to one chunk of that write). For loops that do nothing else meanwhile.
   */
  searchSync(vector: Float32Array | readonly number[], options: SearchOptions = {}): Hit[] {
    this.assertOpen();
    const where = `searchSync in "${this.name}"`;
    const query = prepareQuery(where, this.dimension, vector);
    const k = checkK(where, options.k);
    const matching = options.filter === undefined ? undefined : this.matching(options.filter);
    const includeVector = options.includeVector ?? false;
    const [result] = runPlanSync(this.store.backend, this.planLabels(query, k, options, matching));
    const hits = this.toHits(result!, k, includeVector);
    if (hits.length === result!.labels.length) return hits;
    // A write being applied put labels in the index that this store does not know yet, and nothing here can
    // wait for it to finish: an exact scan of the records the store knows gives the k it would have.
    const [known] = this.store.backend.searchSubsetSync(query, k, matching?.labels ?? this.store.liveLabels());
    return this.toHits(known!, k, includeVector);
  }

  /** BM25 keyword search over the records' text. */
  async keywordSearch(text: string, options: KeywordSearchOptions = {}): Promise<Hit[]> {
    this.assertOpen();
    const where = `keywordSearch in "${this.name}"`;
    if (typeof text !== 'string') throw new ValidationError(`${where}: text must be a string`);
    const k = checkK(where, options.k);
    const allowed = options.filter === undefined ? undefined : this.matching(options.filter);
    return this.toHits(this.keywordLabels(text, k, allowed), k, false);
  }

  /**
   * Vector and keyword search fused: reciprocal rank fusion (`rrf`, default) or weighted min-max
   * normalised scores (`weighted`). `score` of each hit is the fused score.
   */
  async hybridSearch(options: HybridSearchOptions): Promise<Hit[]> {
    this.assertOpen();
    const where = `hybridSearch in "${this.name}"`;
    if (options === null || typeof options !== 'object') throw new ValidationError(`${where}: options must be an object`);
    const query = prepareQuery(where, this.dimension, options.vector);
    if (typeof options.text !== 'string') throw new ValidationError(`${where}: text must be a string`);
    const k = checkK(where, options.k);
    const candidates = Math.max(k, options.candidates ?? Math.max(50, 4 * k));
    const matching = options.filter === undefined ? undefined : this.matching(options.filter);
    const [vectorSide] = await runPlan(this.store.backend, this.planLabels(query, candidates, {}, matching));
    const keywordSide = this.keywordLabels(options.text, candidates, matching);
    const lists: RankedList[] = [toRanked(vectorSide!), toRanked(keywordSide)];
    const fusion = options.fusion ?? 'rrf';
    let fused: Array<{ label: number; score: number }>;
    if (fusion === 'rrf') {
      fused = fuseRrf(lists, k, options.rrfK ?? 60);
    } else if (fusion === 'weighted') {
      const vectorWeight = options.vectorWeight ?? 0.5;
      if (!(vectorWeight >= 0 && vectorWeight <= 1)) throw new ValidationError(`${where}: vectorWeight must be within [0, 1]`);
      fused = fuseWeighted([{ ...lists[0]!, weight: vectorWeight }, { ...lists[1]!, weight: 1 - vectorWeight }], k);
    } else {
      throw new ValidationError(`${where}: fusion must be 'rrf' or 'weighted', got ${String(fusion)}`);
    }
    return this.toHits({ labels: Uint32Array.from(fused.map((entry) => entry.label)), scores: Float32Array.from(fused.map((entry) => entry.score)) }, k, false);
  }

  /** Writes a snapshot and starts a new write-ahead log (also done automatically as the log grows). */
  checkpoint(): Promise<void> {
    this.assertOpen();
    return this.exclusive(async () => {
      await this.storage.checkpoint(this.store);
      this.matchingCache.clear(); // compaction renumbers labels
    });
  }

  /** Checkpoints if there is anything in the log, then releases files and memory. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.exclusive(async () => {
      if (this.storage.walBytes > 0) await this.storage.checkpoint(this.store);
      await this.storage.close();
      this.store.backend.close();
    });
    this.closed = true;
  }

  private get dimension(): number {
    return this.storage.settings.dimension;
  }

  private matching(filter: Filter): MatchingSet {
    return this.matchingCache.get(filter);
  }

  /** The search for `queries`, to run with `runPlan` or `runPlanSync`; throws on bad options now. */
  private planLabels(queries: Float32Array, k: number, options: SearchOptions, matching: MatchingSet | undefined): SearchPlan {
    const where = `search in "${this.name}"`;
    if (options.strategy !== undefined && !['auto', 'exact', 'index'].includes(options.strategy)) {
      throw new ValidationError(`${where}: strategy must be 'auto', 'exact' or 'index', got ${String(options.strategy)}`);
    }
    checkPositive(where, 'efSearch', options.efSearch);
    checkPositive(where, 'nprobe', options.nprobe);
    const backend = this.store.backend;
    const { kind, params: indexParams } = this.storage.settings;
    const params = {
      k,
      efSearch: options.efSearch ?? indexParams.efSearch,
      nprobe: options.nprobe,
      strategy: options.strategy,
      ...(kind === 'hnsw' || kind === 'auto' ? { M: indexParams.M } : {}),
    };
    if (matching !== undefined) return searchMatching(backend, queries, matching, params);
    return this.searchAll(backend, queries, params);
  }

  private *searchAll(backend: VectorIndexBackend, queries: Float32Array, params: FilteredSearchParams): SearchPlan {
    const results = yield indexCall(queries, params.k, params);
    const expected = Math.min(params.k, backend.size);
    if (results.every((result) => result.labels.length >= expected)) return results;
    return yield* completeShortResults(backend, queries, results, expected, params.k, this.store.liveLabels());
  }

  private keywordLabels(text: string, k: number, allowed: MatchingSet | undefined): BackendResult {
    return this.store.keywords.search(text, k, allowed?.bitmap(this.store.backend.nextLabel));
  }

  private toHits(result: BackendResult, k: number, includeVector: boolean): Hit[] {
    const hits: Hit[] = [];
    for (let i = 0; i < result.labels.length && hits.length < k; i++) {
      const id = this.store.idOf(result.labels[i]!);
      const entry = id === undefined ? undefined : this.store.entry(id);
      if (id === undefined || entry === undefined) continue;
      const hit: Hit = { id, score: result.scores[i]!, metadata: entry.metadata };
      if (entry.text !== undefined) hit.text = entry.text;
      if (includeVector) hit.vector = this.store.backend.vector(entry.label);
      hits.push(hit);
    }
    return hits;
  }

  private write<T>(operation: WalOperation, apply: () => Promise<T>): Promise<T> {
    this.assertOpen();
    return this.exclusive(async () => {
      await this.storage.log(operation);
      try {
        const result = await apply();
        if (this.storage.shouldCheckpoint()) await this.storage.checkpoint(this.store);
        return result;
      } finally {
        // Filters evaluated while the write was applied (or before it) describe an older state.
        this.matchingCache.clear();
      }
    });
  }

  /** Runs `task` after every earlier write: writes and checkpoints never interleave. */
  private exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = this.writing.then(task);
    this.writing = run.catch(() => undefined);
    return run;
  }

  private assertOpen(): void {
    if (this.closed) throw new ValidationError(`collection "${this.name}" is closed`);
  }
}

function checkK(where: string, k: number | undefined): number {
  if (k === undefined) return 10;
  if (!Number.isInteger(k) || k < 1 || k > MAX_K) throw new ValidationError(`${where}: k must be an integer from 1 to ${MAX_K}, got ${String(k)}`);
  return k;
}

function checkPositive(where: string, option: string, value: number | undefined): void {
  if (value !== undefined && (!Number.isInteger(value) || value < 1)) {
    throw new ValidationError(`${where}: ${option} must be a positive integer, got ${String(value)}`);
  }
}

function toRanked(result: BackendResult): RankedList {
  return { labels: result.labels, scores: result.scores };
}
