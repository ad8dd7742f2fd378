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
export { LocalEnvironment } from './api/local-environment.js';
export type { ErrorPolicy, KeyByOptions, KeyStrategy, OperatorOptions } from './api/operator-options.js';
export { type Clock, systemClock } from './runtime/clock.js';
export type { JobResult, JobStatus } from './runtime/job-result.js';
export type { OperatorMetrics } from './runtime/metrics.js';
export { DEAD_LETTER_TAG, type DeadLetter } from './runtime/stream-operator.js';
export { BaseService, type ServiceClass } from './services/base-service.js';
export { DEFAULT_SERVICE_TIMEOUT_MS } from './services/service-registry.js';
