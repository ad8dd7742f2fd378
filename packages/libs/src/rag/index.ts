export { parseConfig } from './config.js';
export * from './contracts.js';
export { configForName, type EmbedderSpec, resolveCollectionEmbedder, sharedEmbedder } from './embedder-resolution.js';
export * from './embeddings/index.js';
export * from './indexing/index.js';
export { acquireDatabase, type DatabaseLease, DEFAULT_DB_PATH, defaultDbPath } from './knowledge-base.js';
export * from './retrievers/index.js';
