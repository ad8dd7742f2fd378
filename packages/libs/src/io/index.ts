export { CSVBatch, type CSVBatchConfig, type CSVRecord } from './csv-batch.js';
export {
  type DirectoryDocument,
  type DirectoryDocumentMetadata,
  DirectorySource,
  type DirectorySourceConfig,
} from './directory-source.js';
export { FileSink, type FileSinkConfig } from './file-sink.js';
export { FileSource, type FileSourceConfig } from './file-source.js';
export { type AnswerLike, formatAnswer, isAnswerRecord } from './format-answer.js';
export { IoError } from './io-error.js';
export { JSONLBatch, type JSONLBatchConfig } from './jsonl-batch.js';
export { JSONLSink, type JSONLSinkConfig } from './jsonl-sink.js';
export { PostgresSink, type PostgresSinkConfig } from './postgres-sink.js';
export { PostgresSinkError, type PostgresSinkErrorDetails } from './postgres-sink-error.js';
export { TerminalSink, type TerminalSinkConfig } from './terminal-sink.js';
