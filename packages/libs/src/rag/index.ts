export * from './contracts.js';
export type { Embedder } from './embeddings/embedder.js';
export { parseConfig } from './config.js';
