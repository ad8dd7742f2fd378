export {
  ConfigError,
  JobStoppedError,
  OperatorError,
  PipelineError,
  SageError,
  type SageErrorCode,
  type SageErrorOptions,
  ServiceError,
  ServiceNotFoundError,
  ServiceTimeoutError,
  truncateForMessage,
  ValidationError,
} from './errors.js';
export { canonicalKey, hashString, partitionForKey, stableHash } from './hash.js';
export { createLogger, getLogger, type Logger, type LoggerOptions, type LogLevel } from './logger.js';
