export { BM25Retriever, type BM25RetrieverConfig } from './bm25-retriever.js';
export { DenseRetriever, type DenseRetrieverConfig } from './dense-retriever.js';
export { HybridRetriever, type HybridRetrieverConfig } from './hybrid-retriever.js';
export type { RetrieverConfig, RetrieverInput } from './retriever-base.js';
