export type { BackendChoice } from './backend-choice.js';
export { Collection } from './collection.js';
export { CollectionTopK, type CollectionTopKConfig, type TopKMatch } from './collection-top-k.js';
export type { ColumnBatch } from './record-input.js';
export { SageDB, type SageDBOptions } from './sage-db.js';
export {
  type CollectionInfo,
  type CollectionOptions,
  DEFAULT_INDEX_PARAMS,
  type Filter,
  type Fusion,
  type Hit,
  type HybridSearchOptions,
  type IndexKind,
  type IndexParams,
  type KeywordSearchOptions,
  type Metadata,
  type MetadataValue,
  type Metric,
  type RecordInput,
  type SearchOptions,
  type SearchStrategy,
  type StoredRecord,
} from './types.js';
export { VectorDBService, type VectorDBServiceConfig } from './vector-db-service.js';
export type { VectorStore } from './vector-store.js';
