export { ConnectedStreams } from './api/connected-streams.js';
export { DataStream, type StreamSink } from './api/data-stream.js';
export {
  BaseEnvironment,
  type Collection,
  type EnvironmentConfig,
  type SubmitOptions,
} from './api/environment.js';
export type {
  FunctionContext,
  KeyedStateStore,
  ListState,
  MapState,
  ServiceCallOptions,
  ValueState,
} from './api/function-context.js';
export {
  BaseCoMapFunction,
  BaseFunction,
  BaseJoinFunction,
  BatchFunction,
  END_OF_STREAM,
  type EndOfStream,
  FilterFunction,
  FlatMapFunction,
  type FunctionClass,
  KeyByFunction,
  MapFunction,
  type MaybePromise,
  SinkFunction,
  SourceFunction,
} from './api/functions.js';
export { KeyedStream } from './api/keyed-stream.js';
export { type ExecutionTarget, type RemoteExecutionTarget, setExecutionTarget } from './api/execution-target.js';
export { LocalEnvironment } from './api/local-environment.js';
export { OutputTag } from './api/output-tag.js';
export { type AllWindowedStream, type WindowOperatorCallOptions, WindowedStream } from './api/windowed-stream.js';
export type { ErrorPolicy, KeyByOptions, KeyStrategy, OperatorOptions } from './api/operator-options.js';
export { RemoteEnvironment, type RemoteEnvironmentConfig } from './api/remote-environment.js';
// Distributed runtime, experimental: the job manager's store in Redis, remote jobs and the worker process.
export {
  ALLOWED_TRANSITIONS,
  JOB_RECORD_STATUSES,
  type JobGraphSummary,
  type JobLogEntry,
  type JobLogInput,
  type JobRecord,
  type JobRecordStatus,
  type JobSummary,
  type OperatorMetricsDelta,
} from './distributed/job-record.js';
export {
  type CreateJobOptions,
  DEFAULT_MAX_LOG_ENTRIES,
  type FollowLogsOptions,
  JobNotFoundError,
  JobStore,
  type JobStoreOptions,
  type ListJobsOptions,
  type StopResult,
  type TransitionResult,
} from './distributed/job-store.js';
export { DEFAULT_KEY_PREFIX } from './distributed/keys.js';
export { RedisConnectionError, type RedisConnectionFailure } from './distributed/redis-connection-error.js';
export { CLUSTER_SECRET_VARIABLE, checkClusterSecret } from './distributed/remote/cluster-secret.js';
export { RecordNotSerializableError, RemoteJobError } from './distributed/remote/remote-errors.js';
export { type RecoveryTiming, recoveryTiming } from './distributed/worker/recovery-timing.js';
export { SageWorker, type SageWorkerOptions } from './distributed/worker/sage-worker.js';
export {
  evaluateRedisRequirements,
  MINIMUM_REDIS_VERSION,
  RECOMMENDED_REDIS_VERSION,
  type RedisRequirementFinding,
  type RedisRequirementOptions,
  type RedisServerFacts,
} from './distributed/redis-requirements.js';
export { DEFAULT_REDIS_URL, parseRedisUrl, type RedisEndpoint, type RedisTlsOptions } from './distributed/redis-url.js';
export { type Clock, systemClock } from './runtime/clock.js';
export type { JobResult, JobStatus } from './runtime/job-result.js';
export type { OperatorMetrics, WindowEngineName } from './runtime/metrics.js';
export {
  type ExponentialBackoffOptions,
  type FailureRateOptions,
  type FixedDelayOptions,
  RestartStrategy,
} from './runtime/restart-strategy.js';
export { DEAD_LETTER_TAG, type DeadLetter } from './runtime/stream-operator.js';
export { BaseService, type ServiceClass } from './services/base-service.js';
export { DEFAULT_SERVICE_TIMEOUT_MS } from './services/service-registry.js';
// Windows, experimental: `assignTimestampsAndWatermarks`, `keyBy(...).window(...)`, `windowAll` (see docs/windows.md).
export {
  type AggregateFunction,
  BoundedOutOfOrdernessWatermarks,
  type Collector,
  ContinuousEventTimeTrigger,
  Count,
  CountEvictor,
  CountTrigger,
  countWindow,
  EventTimeSessionWindows,
  EventTimeTrigger,
  type Evictor,
  type EvictorContext,
  type FieldSelector,
  GlobalWindow,
  GlobalWindows,
  MAX_WATERMARK,
  MIN_WATERMARK,
  Max,
  Mean,
  MergingWindowAssigner,
  Min,
  NeverTrigger,
  type OnMergeContext,
  ProcessingTimeSessionWindows,
  ProcessingTimeTrigger,
  type ProcessWindowContext,
  ProcessWindowFunction,
  PurgingTrigger,
  type ReduceFunction,
  SlidingEventTimeWindows,
  SlidingProcessingTimeWindows,
  Sum,
  TimeEvictor,
  type TimestampAssigner,
  type TimestampedValue,
  TimestampsAndWatermarks,
  TimeWindow,
  Trigger,
  type TriggerContext,
  TriggerResult,
  TumblingEventTimeWindows,
  TumblingProcessingTimeWindows,
  type SimilarPair,
  type SimilarityJoinSpec,
  TopK,
  type TopKItem,
  VectorMean,
  VectorSum,
  WatermarkCombiner,
  type WatermarkGenerator,
  type WatermarkGeneratorContext,
  type WatermarkOutput,
  WatermarkStrategy,
  WatermarksWithIdleness,
  type Window,
  WindowAssigner,
  type WindowAssignerContext,
  type WindowFunction,
  WindowFunctions,
  type WindowEngineChoice,
  WindowOperator,
  type WindowOperatorOptions,
  type WindowOperatorOutput,
  AlignedWindowOperator,
  SessionWindowOperator,
  type SpecializedWindowOperator,
  specializedWindowOperator,
  type WindowSpec,
} from './windowing/index.js';
