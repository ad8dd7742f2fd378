import { ValidationError } from '@sage/common';
import { MapFunction } from '@sage/kernel';
import { Collection } from './collection.js';
import { SageDB } from './sage-db.js';
import type { Hit, SearchOptions } from './types.js';

export interface CollectionTopKConfig {
  /** An open collection, or its name in the database at `db`. */
  collection: Collection | string;
  /** The database directory, when `collection` is a name. */
  db?: string;
  /** Nearest records per element; default 10. */
  k?: number;
  /** The field holding each element's `Float32Array` (or number array) query vector; without it the element is the vector. */
  vector?: string;
  /** Search options passed on (`filter`, `efSearch`, `nprobe`, `includeVector`, `strategy`). */
  search?: Omit<SearchOptions, 'k'>;
}

/** An element with the `k` records of the collection nearest to its vector, best first. */
export interface TopKMatch<T> {
  element: T;
  hits: Hit[];
}

interface Pending {
  vector: Float32Array | readonly number[];
  resolve(hits: Hit[]): void;
  reject(error: unknown): void;
}

/**
 * Streaming top-k against a SageDB collection: each element's vector is searched in the collection and the
 * element leaves with its `k` nearest records (`stream.map(CollectionTopK, { collection, k, vector },
 * { concurrency: 64 })`). The elements in flight at one moment (the operator's `concurrency`) are searched in
 * one `searchBatch` call, so the native index sees batches, not single queries.
 */
export class CollectionTopK<T = unknown> extends MapFunction<T, TopKMatch<T>, CollectionTopKConfig> {
  private target: Collection | undefined;
  private db: SageDB | undefined;
  private pending: Pending[] = [];
  private readonly k: number;

  constructor(config?: CollectionTopKConfig) {
    super(config);
    const k = config?.k ?? 10;
    if (!Number.isSafeInteger(k) || k < 1) throw new ValidationError(`CollectionTopK: k must be a positive integer, got ${String(k)}`);
    if (!(config?.collection instanceof Collection) && (typeof config?.collection !== 'string' || typeof config.db !== 'string')) {
      throw new ValidationError('CollectionTopK: collection must be an open Collection, or a collection name with the db directory');
    }
    this.k = k;
  }

  override async open(): Promise<void> {
    const { collection, db } = this.config;
    if (collection instanceof Collection) {
      this.target = collection;
      return;
    }
    this.db = await SageDB.open(db!);
    this.target = await this.db.collection(collection);
  }

  override async close(): Promise<void> {
    await this.db?.close();
    this.db = undefined;
  }

  execute(element: T): Promise<TopKMatch<T>> {
    const field = this.config.vector;
    const vector = field === undefined ? element : (element as Record<string, unknown> | null)?.[field];
    if (!(vector instanceof Float32Array) && !Array.isArray(vector)) {
      const what = field === undefined ? 'the element' : `field "${field}"`;
      return Promise.reject(new ValidationError(`CollectionTopK: ${what} must be a Float32Array or an array of numbers`));
    }
    return new Promise<Hit[]>((resolve, reject) => {
      this.pending.push({ vector: vector as Float32Array | readonly number[], resolve, reject });
      // The first query of this turn schedules the batch; the others started in the same turn join it.
      if (this.pending.length === 1) queueMicrotask(() => this.flush());
    }).then((hits) => ({ element, hits }));
  }

  /** Searches the queries gathered so far in one call. */
  protected searchBatch(vectors: Array<Float32Array | readonly number[]>): Promise<Hit[][]> {
    if (this.target === undefined) throw new ValidationError('CollectionTopK: used before open()');
    return this.target.searchBatch(vectors, { ...this.config.search, k: this.k });
  }

  private flush(): void {
    const batch = this.pending;
    this.pending = [];
    let searching: Promise<Hit[][]>;
    try {
      searching = this.searchBatch(batch.map((entry) => entry.vector));
    } catch (error) {
      searching = Promise.reject(error);
    }
    searching.then(
      (results) => {
        for (let index = 0; index < batch.length; index++) batch[index]!.resolve(results[index]!);
      },
      (error) => {
        for (const entry of batch) entry.reject(error);
      },
    );
  }
}
