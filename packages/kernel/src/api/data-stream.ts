import { PipelineError, ValidationError } from '@sage/common';
import type { TransformationInput, Transformation } from '../graph/transformation.js';
import { FilterOperator } from '../runtime/operators/filter-operator.js';
import { FlatMapOperator } from '../runtime/operators/flat-map-operator.js';
import type { UserFunction } from '../runtime/operators/function-instance.js';
import { MapOperator } from '../runtime/operators/map-operator.js';
import { SinkOperator } from '../runtime/operators/sink-operator.js';
import { SimilarityJoinStreamOperator } from '../runtime/operators/similarity-join-stream-operator.js';
import { TimestampsAndWatermarksOperator } from '../runtime/operators/timestamps-and-watermarks-operator.js';
import type { WindowAssigner, WindowSpec } from '../windowing/assigners.js';
import { checkSimilarityJoin, type SimilarPair, type SimilarityJoinSpec } from '../windowing/similarity-join.js';
import { WatermarkStrategy } from '../windowing/watermarks.js';
import type { Window } from '../windowing/window.js';
import { DEAD_LETTER_TAG, type DeadLetter, type OperatorSetup, type StreamOperator } from '../runtime/stream-operator.js';
import { parseCall } from './call-shape.js';
import type { StreamBuilder } from './stream-builder.js';
import {
  type BaseFunction,
  FilterFunction,
  FlatMapFunction,
  type ConfigOf,
  isFunctionClass,
  KeyByFunction,
  MapFunction,
  type MaybePromise,
  type OutputOf,
  SinkFunction,
} from './functions.js';
import type { KeyByOptions, OperatorOptions } from './operator-options.js';
import type { ConnectedStreams } from './connected-streams.js';
import type { KeyedStream } from './keyed-stream.js';
import type { OutputTag } from './output-tag.js';
import type { AllWindowedStream, WindowSettings } from './windowed-stream.js';

type OperatorFactory = (userFunction: UserFunction) => (setup: OperatorSetup) => StreamOperator;

/** A sink at the end of a stream. */
export interface StreamSink<T = unknown> {
  readonly name: string;
  /** The records the sink skipped under `onError: 'skip'`, each with its error. */
  deadLetters(): DataStream<DeadLetter<T>>;
}

/**
 * A stream of records of type `T`. Every method adds an operator to the job's graph and returns the stream
 * of its output; nothing runs until `env.submit()`.
 */
export class DataStream<T = unknown> {
  /** @internal */
  constructor(
    /** @internal */ readonly builder: StreamBuilder,
    /** @internal */ readonly transformation: Transformation,
    /** @internal */ readonly sideTag?: string,
  ) {}

  /** The operator's name, as in metrics. */
  get name(): string {
    return this.transformation.options.name;
  }

  /** Applies a function to each record; a result of `undefined` drops the record. */
  map<U>(fn: (record: T) => MaybePromise<U>, options?: OperatorOptions): DataStream<Exclude<U, undefined>>;
  map<F extends new (config?: any) => MapFunction<T, any>>(fn: F, config?: ConfigOf<F>, options?: OperatorOptions): DataStream<OutputOf<F>>;
  map(target: unknown, second?: unknown, third?: unknown): any {
    return this.addOperator('map', MapFunction, target, second, third, (fn) => (setup) => new MapOperator(setup, fn));
  }

  /** Turns each record into any number of records: return an iterable, or call `collect(x)`. */
  flatMap<U>(
    fn: (record: T, collect: (record: U) => void) => MaybePromise<Iterable<U> | undefined | void>,
    options?: OperatorOptions,
  ): DataStream<U>;
  flatMap<F extends new (config?: any) => FlatMapFunction<T, any>>(
    fn: F,
    config?: ConfigOf<F>,
    options?: OperatorOptions,
  ): DataStream<F extends new (config?: any) => FlatMapFunction<any, infer U> ? U : never>;
  flatMap(target: unknown, second?: unknown, third?: unknown): DataStream<any> {
    return this.addOperator('flatMap', FlatMapFunction, target, second, third, (fn) => (setup) => new FlatMapOperator(setup, fn));
  }

  /** Keeps the records for which the function returns true. */
  filter(fn: (record: T) => MaybePromise<boolean>, options?: OperatorOptions): DataStream<T>;
  filter<F extends new (config?: any) => FilterFunction<T>>(fn: F, config?: ConfigOf<F>, options?: OperatorOptions): DataStream<T>;
  filter(target: unknown, second?: unknown, third?: unknown): DataStream<T> {
    return this.addOperator('filter', FilterFunction, target, second, third, (fn) => (setup) => new FilterOperator(setup, fn));
  }

  /**
   * Partitions the stream by key: records with equal keys go to the same instance of the next operator,
   * whose keyed state (`this.ctx.state`) is scoped to the key. Keys are hashed stably across processes;
   * `0`, `''` and `false` are keys like any other.
   */
  keyBy<K>(selector: (record: T) => K, options?: KeyByOptions): KeyedStream<T, K>;
  keyBy<F extends new (config?: any) => KeyByFunction<T, any>>(
    selector: F,
    config?: ConfigOf<F>,
    options?: KeyByOptions,
  ): KeyedStream<T, F extends new (config?: any) => KeyByFunction<any, infer K> ? K : never>;
  keyBy(target: unknown, second?: unknown, third?: unknown): KeyedStream<T, any> {
    const where = `keyBy on "${this.name}"`;
    const { userFunction, options } = parseCall(where, KeyByFunction, target, second, third);
    const strategy = (options as KeyByOptions | undefined)?.strategy ?? 'hash';
    if (strategy !== 'hash' && strategy !== 'broadcast' && strategy !== 'roundRobin') {
      throw new ValidationError(`${where}: strategy must be 'hash', 'broadcast' or 'roundRobin', got ${String(strategy)}`);
    }
    const selector = isFunctionClass(userFunction.target)
      ? (() => {
          const instance = new userFunction.target(userFunction.config) as KeyByFunction;
          return (record: unknown) => instance.execute(record);
        })()
      : (userFunction.target as (record: unknown) => unknown);
    return this.builder.keyedStream(this, selector, strategy);
  }

  /** Connects this stream with others for `coMap`, `join` or a union `map`. */
  connect(...others: Array<DataStream<any> | ConnectedStreams>): ConnectedStreams {
    if (others.length === 0) throw new ValidationError(`connect on "${this.name}": give at least one stream`);
    const streams: DataStream<any>[] = [this];
    for (const other of others) {
      if (other instanceof DataStream) streams.push(other);
      else if (Array.isArray((other as ConnectedStreams)?.streams)) streams.push(...(other as ConnectedStreams).streams);
      else throw new ValidationError(`connect on "${this.name}": arguments must be streams`);
    }
    return this.builder.connectedStreams(streams);
  }

  /**
   * Gives every record an event-time timestamp and sends watermarks downstream, per `strategy`
   * (`WatermarkStrategy.forBoundedOutOfOrderness(ms).withTimestampAssigner((e) => e.ts)`). At end of input
   * it sends the final watermark, so every event-time window fires. Experimental.
   */
  assignTimestampsAndWatermarks(strategy: WatermarkStrategy<T>, options?: OperatorOptions): DataStream<T> {
    if (!(strategy instanceof WatermarkStrategy)) {
      throw new ValidationError(`assignTimestampsAndWatermarks after "${this.name}": expected a WatermarkStrategy`);
    }
    const transformation = this.builder.addTransformation('assignTimestampsAndWatermarks', 'operator', options, [this.inputFor(0)], {
      createOperator: (setup) => new TimestampsAndWatermarksOperator(setup, strategy),
    });
    return new DataStream(this.builder, transformation);
  }

  /**
   * Windows over the whole stream (no key): one instance sees every record. Takes an assigner or a
   * `countWindow(n[, slide])` spec. Experimental.
   */
  windowAll<W extends Window>(assigner: WindowAssigner<W> | WindowSpec<W>): AllWindowedStream<T, W> {
    const input: TransformationInput = { from: this.transformation, sideTag: this.sideTag, strategy: 'auto', inputIndex: 0 };
    return this.builder.windowedStream(input, windowSettings(`windowAll after "${this.name}"`, 'windowAll', assigner, true));
  }

  /**
   * Windowed similarity join of two streams of embeddings (experimental): when an event-time window
   * (`TumblingEventTimeWindows` or `SlidingEventTimeWindows`) fires, every pair of an element of this stream
   * and one of `other` in it whose vectors (`Float32Array`, field `spec.vector` or the element itself) have
   * cosine similarity at least `spec.threshold`, as `{ left, right, score, window }`, best first, stamped with
   * the window's `maxTimestamp`. Computed in C++ (`@sage/sage-flow-native`) when the addon loads (`engine`).
   * Runs with parallelism 1; late elements are dropped and counted.
   */
  similarityJoin<R>(other: DataStream<R>, spec: SimilarityJoinSpec, options?: OperatorOptions): DataStream<SimilarPair<T, R>> {
    const where = `similarityJoin after "${this.name}"`;
    if (!(other instanceof DataStream)) throw new ValidationError(`${where}: the other input must be a stream`);
    checkSimilarityJoin(where, spec);
    if ((options?.parallelism ?? 1) !== 1) throw new ValidationError(`${where}: a similarity join runs with parallelism 1, got ${String(options?.parallelism)}`);
    const frozen = { ...spec };
    const transformation = this.builder.addTransformation('similarityJoin', 'operator', options, [this.inputFor(0), other.inputFor(1)], {
      createOperator: (setup) => new SimilarityJoinStreamOperator(setup, frozen),
    }, 2);
    return new DataStream(this.builder, transformation);
  }

  /** The records an operator wrote to a side output, such as a window's late data. */
  getSideOutput<U>(tag: OutputTag<U>): DataStream<U> {
    if (typeof tag?.id !== 'string') throw new ValidationError(`getSideOutput on "${this.name}": expected an OutputTag`);
    return new DataStream(this.builder, this.transformation, tag.id);
  }

  /** Consumes the stream; a function class's `close()` runs after the last record. */
  sink(fn: (record: T) => MaybePromise<void>, options?: OperatorOptions): StreamSink<T>;
  sink<F extends new (config?: any) => SinkFunction<T>>(fn: F, config?: ConfigOf<F>, options?: OperatorOptions): StreamSink<T>;
  sink(target: unknown, second?: unknown, third?: unknown): StreamSink<T> {
    const stream = this.addOperator('sink', SinkFunction, target, second, third, (fn) => (setup) => new SinkOperator(setup, fn), 'sink');
    return { name: stream.name, deadLetters: () => stream.deadLetters() };
  }

  /** Prints each record to stdout, after `prefix` when given. */
  print(prefix?: string, options?: OperatorOptions): StreamSink<T> {
    const lead = prefix === undefined ? '' : `${prefix} `;
    const stdout = openStdout();
    const write = (record: T) => {
      stdout.write(`${lead}${typeof record === 'string' ? record : JSON.stringify(record)}\n`);
    };
    return this.sink(write, { name: this.builder.graph.defaultName('print'), ...options });
  }

  /**
   * The records this operator skipped under `onError: 'skip'`, each with its error: a side output that can
   * be processed like any stream.
   */
  deadLetters(): DataStream<DeadLetter<T>> {
    return new DataStream(this.builder, this.transformation, DEAD_LETTER_TAG);
  }

  /**
   * Feeds this stream into `future` (made by `env.fromFuture`), closing a feedback loop. The loop ends
   * when every input from outside it has ended and no record is left inside it.
   */
  fillFuture(future: DataStream<T>): void {
    const target = future.transformation;
    if (target.kind !== 'future') {
      throw new PipelineError(`fillFuture: "${future.name}" is not a future stream (make one with env.fromFuture(name))`);
    }
    if (target.inputs.length > 0) {
      throw new PipelineError(`fillFuture: future stream "${future.name}" is already filled`);
    }
    if (future.builder !== this.builder) throw new PipelineError('fillFuture: the future belongs to another environment');
    target.inputs.push(this.inputFor(0));
  }

  /** @internal how a downstream operator reads this stream. */
  inputFor(inputIndex: number): TransformationInput {
    return { from: this.transformation, sideTag: this.sideTag, strategy: 'auto', inputIndex };
  }

  private addOperator(
    operation: string,
    expectedBase: abstract new (...args: any[]) => BaseFunction,
    target: unknown,
    second: unknown,
    third: unknown,
    factory: OperatorFactory,
    kind: 'operator' | 'sink' = 'operator',
  ): DataStream<any> {
    const where = `${operation} after "${this.name}"`;
    const { userFunction, options } = parseCall(where, expectedBase, target, second, third);
    const transformation = this.builder.addTransformation(operation, kind, options, [this.inputFor(0)], {
      createOperator: factory(userFunction),
    });
    return new DataStream(this.builder, transformation);
  }
}

/** @internal what `window` and `windowAll` start with: an assigner, or an assigner with trigger and evictor. */
export function windowSettings<W extends Window>(
  where: string,
  operation: string,
  assigner: WindowAssigner<W> | WindowSpec<W>,
  parallelismOne: boolean,
): WindowSettings {
  const spec: WindowSpec<W> | undefined =
    typeof (assigner as WindowAssigner<W>)?.assignWindows === 'function'
      ? { assigner: assigner as WindowAssigner<W> }
      : typeof (assigner as WindowSpec<W>)?.assigner?.assignWindows === 'function'
        ? (assigner as WindowSpec<W>)
        : undefined;
  if (spec === undefined) throw new ValidationError(`${where}: expected a window assigner (TumblingEventTimeWindows.of(ms), …)`);
  return {
    operation,
    parallelismOne,
    assigner: spec.assigner as unknown as WindowAssigner<Window>,
    trigger: spec.trigger as WindowSettings['trigger'],
    evictor: spec.evictor as WindowSettings['evictor'],
  };
}

let stdoutGuarded = false;

/** stdout for `print()`: when the reader goes away (`| head`), further lines are dropped instead of crashing. */
function openStdout(): { write(text: string): void } {
  if (!stdoutGuarded) {
    stdoutGuarded = true;
    process.stdout.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') process.emitWarning(error);
    });
  }
  return { write: (text) => process.stdout.writable && process.stdout.write(text) };
}
