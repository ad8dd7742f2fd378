import { createLogger, type Logger, type LogLevel, PipelineError, ValidationError } from '@sage/common';
import { JobGraph } from '../graph/job-graph.js';
import type { Transformation, TransformationInput, TransformationKind } from '../graph/transformation.js';
import { type Clock, systemClock } from '../runtime/clock.js';
import type { JobResult } from '../runtime/job-result.js';
import { checkRestartStrategy, type RestartStrategy } from '../runtime/restart-strategy.js';
import { CollectionSourceOperator } from '../runtime/operators/collection-source-operator.js';
import { FunctionSourceOperator } from '../runtime/operators/function-source-operator.js';
import { PassThroughOperator } from '../runtime/operators/pass-through-operator.js';
import type { SubmittedEnvironment } from '../distributed/remote/remote-submission.js';
import type { BaseService } from '../services/base-service.js';
import type { ServiceDefinition } from '../services/service-registry.js';
import { parseCall } from './call-shape.js';
import { ConnectedStreams } from './connected-streams.js';
import { DataStream } from './data-stream.js';
import {
  BatchFunction,
  type ConfigOf,
  type EndOfStream,
  isFunctionClass,
  type MaybePromise,
  type OutputOf,
  SourceFunction,
} from './functions.js';
import { KeyedStream } from './keyed-stream.js';
import { type KeyStrategy, type OperatorOptions, resolveOptions } from './operator-options.js';
import type { StreamBuilder } from './stream-builder.js';
import { WindowedStream, type WindowSettings } from './windowed-stream.js';

/** Settings of an environment; every field is optional. */
export interface EnvironmentConfig {
  /** Records per batch between operators; default 1024. */
  batchSize?: number;
  /** Batches a channel holds before producers wait (backpressure); default 16. */
  channelCapacity?: number;
  /** Longest time, in ms, a slow async source or operator holds finished records; default 5. */
  lingerMs?: number;
  logLevel?: LogLevel;
  logger?: Logger;
  /** Injected time, for tests. */
  clock?: Clock;
  /** Stop gracefully on Ctrl+C (SIGINT) while a job runs; default true. */
  handleSignals?: boolean;
}

export interface SubmitOptions {
  /** Resolve when the stream ends (bounded sources); otherwise resolve once started and run until `stop()`. */
  autostop?: boolean;
}

export type Collection<T> = Iterable<T> | AsyncIterable<T>;

/** The parts of an environment shared by local and remote execution: building the job graph. */
export abstract class BaseEnvironment implements StreamBuilder {
  readonly graph: JobGraph;
  readonly logger: Logger;
  protected readonly settings: Required<Pick<EnvironmentConfig, 'batchSize' | 'channelCapacity' | 'lingerMs'>> & {
    clock: Clock;
    handleSignals: boolean;
  };
  protected readonly services: ServiceDefinition[] = [];
  /** The job's restart strategy, for operators without their own `restart` option; undefined: none. */
  protected restartStrategy: RestartStrategy | undefined;

  constructor(
    readonly name: string,
    config: EnvironmentConfig = {},
  ) {
    if (typeof name !== 'string' || name.length === 0) throw new ValidationError('environment name must be a non-empty string');
    this.graph = new JobGraph(name);
    this.logger = config.logger ?? createLogger({ name, level: config.logLevel });
    this.settings = {
      batchSize: positive('batchSize', config.batchSize, 1024),
      channelCapacity: positive('channelCapacity', config.channelCapacity, 16),
      lingerMs: positive('lingerMs', config.lingerMs, 5, true),
      clock: config.clock ?? systemClock,
      handleSignals: config.handleSignals ?? true,
    };
  }

  /**
   * A source: a `SourceFunction` class (or plain function) called as fast as downstream accepts, until it
   * returns END_OF_STREAM. A `BatchFunction` class is accepted too and is bounded, as with `fromBatch`
   * (`env.fromSource(FileSource, { filePath })` reads the file and ends).
   */
  fromSource<T>(fn: () => MaybePromise<T | undefined | EndOfStream>, options?: OperatorOptions): DataStream<T>;
  fromSource<F extends new (config?: any) => SourceFunction<any> | BatchFunction<any>>(
    fn: F,
    config?: ConfigOf<F>,
    options?: OperatorOptions,
  ): DataStream<Exclude<OutputOf<F>, EndOfStream>>;
  fromSource(target: unknown, second?: unknown, third?: unknown): any {
    const bounded = isFunctionClass(target) && target.prototype instanceof BatchFunction;
    return this.functionSource('fromSource', bounded, target, second, third);
  }

  /** A bounded source: an array, iterable, async iterable, or a `BatchFunction` class. */
  fromBatch<T>(data: Collection<T>, options?: OperatorOptions): DataStream<T>;
  fromBatch<F extends new (config?: any) => BatchFunction<any>>(fn: F, config?: ConfigOf<F>, options?: OperatorOptions): DataStream<OutputOf<F>>;
  fromBatch(target: unknown, second?: unknown, third?: unknown): any {
    if (isFunctionClass(target)) return this.functionSource('fromBatch', true, target, second, third);
    return this.fromCollection(target as Collection<unknown>, second as OperatorOptions | undefined);
  }

  /** A source from a function class (or plain function): `BatchFunction`s are bounded, `SourceFunction`s end themselves. */
  private functionSource(where: string, bounded: boolean, target: unknown, second: unknown, third: unknown): DataStream<unknown> {
    const { userFunction, options } = parseCall(where, bounded ? BatchFunction : SourceFunction, target, second, third);
    return this.addSource(bounded ? 'batch' : 'source', options, (setup) => new FunctionSourceOperator(setup, userFunction, bounded));
  }

  /** A bounded source over an array, iterable or async iterable. */
  fromCollection<T>(data: Collection<T>, options?: OperatorOptions): DataStream<T> {
    const iterable = data as Partial<Iterable<T> & AsyncIterable<T>>;
    if (data === null || typeof data !== 'object' || (!iterable[Symbol.iterator] && !iterable[Symbol.asyncIterator])) {
      throw new ValidationError(`fromBatch/fromCollection: expected an array, iterable or async iterable, got ${typeof data}`);
    }
    const singleUse = typeof (data as Partial<Iterator<T>>).next === 'function';
    if (singleUse && (options?.parallelism ?? 1) > 1) {
      throw new ValidationError('fromBatch: an iterator or generator can be read once, so its parallelism must be 1');
    }
    return this.addSource('collection', options, (setup) => new CollectionSourceOperator(setup, data));
  }

  /**
   * A placeholder stream for a feedback loop: use it like any stream, then close the loop with
   * `stream.fillFuture(future)`. Submitting a job with an unfilled future is an error.
   */
  fromFuture<T = unknown>(name: string): DataStream<T> {
    const transformation = this.addTransformation('future', 'future', { name }, [], {
      createOperator: (setup) => new PassThroughOperator(setup),
    });
    return new DataStream<T>(this, transformation);
  }

  /** Registers a service for `this.callService(name, …)`; it starts before the first task and stops after the last. */
  registerService<S extends new (config?: any) => BaseService>(name: string, serviceClass: S, config?: ConfigOf<S>): this {
    if (typeof name !== 'string' || name.length === 0) throw new ValidationError('registerService: the service name must be a non-empty string');
    if (typeof serviceClass !== 'function') throw new ValidationError(`registerService("${name}"): expected a service class`);
    if (this.services.some((service) => service.name === name)) {
      throw new ValidationError(`registerService: a service named "${name}" is already registered`);
    }
    this.services.push({ name, serviceClass, config });
    return this;
  }

  /**
   * What a failing operator function does to the job (under `onError: 'fail'`): `RestartStrategy.fixedDelay`,
   * `exponentialBackoff` or `failureRate` restart the failed operator instance, `RestartStrategy.none()` (the
   * default) fails the job. An operator's `restart` option overrides it for that operator. Call before `submit`.
   */
  setRestartStrategy(strategy: RestartStrategy): this {
    this.restartStrategy = checkRestartStrategy('setRestartStrategy', strategy);
    return this;
  }

  abstract submit(options?: SubmitOptions): Promise<JobResult>;
  abstract stop(): Promise<JobResult | undefined>;
  abstract close(): Promise<void>;

  /**
   * What a remote submission reads: the graph, services and settings (services registered and a restart
   * strategy set later included).
   */
  protected submitted(): SubmittedEnvironment {
    const environment = this;
    return {
      name: this.name,
      graph: this.graph,
      services: this.services,
      logger: this.logger,
      ...this.settings,
      get restartStrategy() {
        return environment.restartStrategy;
      },
    };
  }

  /** @internal */
  addTransformation(
    operation: string,
    kind: TransformationKind,
    options: OperatorOptions | undefined,
    inputs: TransformationInput[],
    factories: Pick<Transformation, 'createOperator' | 'createSource'>,
    inputArity = 1,
  ): Transformation {
    const defaultName = options?.name ?? this.graph.defaultName(operation);
    const resolved = resolveOptions(`${operation} "${defaultName}"`, defaultName, options);
    return this.graph.add({
      id: this.graph.nextId(resolved.name),
      kind,
      operation,
      options: resolved,
      inputs,
      inputArity,
      ...factories,
    });
  }

  /** @internal */
  keyedStream<T, K>(stream: DataStream<T>, selector: (record: T) => K, strategy: KeyStrategy): KeyedStream<T, K> {
    return new KeyedStream(this, stream, selector, strategy);
  }

  /** @internal */
  connectedStreams(streams: DataStream<any>[]): ConnectedStreams {
    for (const stream of streams) {
      if (stream.builder !== this) throw new PipelineError('connect: all streams must belong to the same environment');
    }
    return new ConnectedStreams(this, streams);
  }

  /** @internal */
  windowedStream<T, K>(input: TransformationInput, settings: WindowSettings): WindowedStream<T, K, any> {
    return new WindowedStream(this, input, settings);
  }

  private addSource(
    operation: string,
    options: OperatorOptions | undefined,
    createSource: NonNullable<Transformation['createSource']>,
  ): DataStream<any> {
    return new DataStream(this, this.addTransformation(operation, 'source', options, [], { createSource }));
  }
}

function positive(field: string, value: number | undefined, fallback: number, allowZero = false): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < (allowZero ? 0 : 1)) {
    throw new ValidationError(`environment config "${field}" must be a ${allowZero ? 'non-negative' : 'positive'} number, got ${String(value)}`);
  }
  return value;
}
