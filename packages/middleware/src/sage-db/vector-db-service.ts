import { ValidationError } from '@sage/common';
import { BaseService } from '@sage/kernel';
import type { BackendChoice } from './backend-choice.js';
import type { Collection } from './collection.js';
import type { ColumnBatch } from './record-input.js';
import { SageDB } from './sage-db.js';
import type { CollectionOptions, Hit, HybridSearchOptions, KeywordSearchOptions, RecordInput, SearchOptions } from './types.js';

export interface VectorDBServiceConfig {
  /** Database directory. */
  path: string;
  /** Collection the service serves. */
  collection: string;
  /** Create the collection with these options when it does not exist. */
  create?: CollectionOptions;
  backend?: BackendChoice;
}

/**
 * A SageDB collection as a job service: `env.registerService('vectors', VectorDBService, { path, collection })`,
 * then `this.callService('vectors', { args: [vector, { k: 5 }] })` searches (the default method), and
 * `method: 'upsert' | 'delete' | 'hybridSearch' | 'keywordSearch' | 'searchBatch' | 'count'` do the rest.
 */
export class VectorDBService extends BaseService<VectorDBServiceConfig> {
  private database: SageDB | undefined;
  private target: Collection | undefined;

  override async start(): Promise<void> {
    const { path, collection, create, backend } = this.config;
    if (typeof path !== 'string' || typeof collection !== 'string') {
      throw new ValidationError('VectorDBService: config needs { path, collection }');
    }
    this.database = await SageDB.open(path, { backend });
    this.target = create
      ? await this.database.getOrCreateCollection(collection, create)
      : await this.database.collection(collection);
  }

  override async stop(): Promise<void> {
    await this.database?.close();
  }

  process(vector: Float32Array | readonly number[], options?: SearchOptions): Promise<Hit[]> {
    return this.search(vector, options);
  }

  search(vector: Float32Array | readonly number[], options?: SearchOptions): Promise<Hit[]> {
    return this.collection.search(vector, options);
  }

  searchBatch(vectors: readonly (Float32Array | readonly number[])[], options?: SearchOptions): Promise<Hit[][]> {
    return this.collection.searchBatch(vectors, options);
  }

  hybridSearch(options: HybridSearchOptions): Promise<Hit[]> {
    return this.collection.hybridSearch(options);
  }

  keywordSearch(text: string, options?: KeywordSearchOptions): Promise<Hit[]> {
    return this.collection.keywordSearch(text, options);
  }

  upsert(records: readonly RecordInput[] | ColumnBatch): Promise<string[]> {
    return this.collection.upsert(records);
  }

  delete(ids: readonly string[]): Promise<number> {
    return this.collection.delete(ids);
  }

  count(): number {
    return this.collection.count;
  }

  private get collection(): Collection {
    if (this.target === undefined) throw new ValidationError('VectorDBService: the service has not started');
    return this.target;
  }
}
