export { type BuildIndexOptions, type BuildIndexResult, buildIndex, buildIndexWithProgress, countChunks, DEFAULT_CHUNKING, type EnsureIndexResult, ensureIndex } from './build-index.js';
export { IndexWriter, type IndexWriterConfig, storableMetadata } from './index-writer.js';
export { ProgressBar, type TextSink } from './progress-bar.js';
