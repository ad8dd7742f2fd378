export {
  FileSink,
  type FileSinkConfig,
  FileSource,
  type FileSourceConfig,
  IoError,
  JSONLBatch,
  type JSONLBatchConfig,
  JSONLSink,
  type JSONLSinkConfig,
  TerminalSink,
  type TerminalSinkConfig,
} from './io/index.js';
