export {
  type DeepPartial,
  type LoadConfigOptions,
  loadConfig,
  loadEnvFile,
  parseConfig,
} from './config.js';
export { type ConfigIssue, formatKeyPath } from './config-issues.js';
export { type EnvVariables, expandEnv } from './env-expansion.js';
export {
  ConfigError,
  JobStoppedError,
  OperatorError,
  PipelineError,
  SageError,
  StorageError,
  type SageErrorCode,
  type SageErrorOptions,
  ServiceError,
  ServiceNotFoundError,
  ServiceTimeoutError,
  isSageError,
  truncateForMessage,
  ValidationError,
} from './errors.js';
export { crc32 } from './checksum.js';
export { editDistance } from './edit-distance.js';
export { canonicalKey, hashString, partitionForKey, stableHash } from './hash.js';
export { createLogger, formatLogLine, getLogger, type LogFormat, type Logger, type LoggerOptions, type LogLevel, resolveLogLevel } from './logger.js';
export {
  type LoadSageConfigOptions,
  loadSageConfig,
  SAGE_CONFIG_FILE,
  type SageConfig,
  type SageConfigInput,
  sageConfigSchema,
} from './sage-config.js';
export { isSecretKey, maskSecret, redactSecrets } from './secrets.js';
export { seededRandom } from './seeded-random.js';
