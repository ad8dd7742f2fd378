import type { ColumnBatch } from './record-input.js';
import type { Hit, HybridSearchOptions, KeywordSearchOptions, RecordInput, SearchOptions } from './types.js';

/**
 * What retrievers and indexers need from a vector store. `Collection` implements it; the
 * `VectorDBService` exposes the same methods to operators through `callService`.
 */
export interface VectorStore {
  readonly count: number;
  upsert(records: readonly RecordInput[] | ColumnBatch): Promise<string[]>;
  delete(ids: readonly string[]): Promise<number>;
  search(vector: Float32Array | readonly number[], options?: SearchOptions): Promise<Hit[]>;
  searchBatch(vectors: readonly (Float32Array | readonly number[])[], options?: SearchOptions): Promise<Hit[][]>;
  keywordSearch(text: string, options?: KeywordSearchOptions): Promise<Hit[]>;
  hybridSearch(options: HybridSearchOptions): Promise<Hit[]>;
}
