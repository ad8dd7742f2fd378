export { type BuildIndexOptions, type BuildIndexResult, buildIndex, countChunks, DEFAULT_CHUNKING } from './build-index.js';
export { IndexWriter, type IndexWriterConfig, storableMetadata } from './index-writer.js';
