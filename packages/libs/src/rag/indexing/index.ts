export { IndexWriter, type IndexWriterConfig, storableMetadata } from './index-writer.js';
