import type { FunctionContext, ServiceCallOptions } from './function-context.js';

/**
 * Returned by `SourceFunction.execute()` to end the stream. A bounded source may also simply run out (see
 * `BatchFunction`).
 */
export const END_OF_STREAM: unique symbol = Symbol.for('sage.endOfStream');
export type EndOfStream = typeof END_OF_STREAM;

export type MaybePromise<T> = T | Promise<T>;

/**
 * The base of every user function class. The constructor receives the config object given next to the class
 * (`stream.map(Upper, { suffix: '!' })`); the runtime sets `ctx` before `open()` is called.
 */
export abstract class BaseFunction<Config = any> {
  readonly config: Config;
  /** Set by the runtime before `open()`; undefined inside the constructor. */
  ctx!: FunctionContext;

  constructor(config?: Config) {
    this.config = (config ?? {}) as Config;
  }

  /** Called once per instance before the first record. */
  open?(): MaybePromise<void>;
  /** Called once per instance after the last record (or when the job stops). */
  close?(): MaybePromise<void>;

  /** Call a service registered with `env.registerService`. Default method: `process`. */
  callService<R = unknown>(name: string, options: ServiceCallOptions = {}): Promise<R> {
    return this.ctx.callService<R>(name, options);
  }

  get logger() {
    return this.ctx.logger;
  }
}

/** An unbounded source: `execute()` is called as fast as downstream accepts; return `END_OF_STREAM` to end. */
export abstract class SourceFunction<Out = unknown, Config = any> extends BaseFunction<Config> {
  /**
   * The next record. `undefined` emits nothing this call (prefer awaiting until data is there: returning
   * `undefined` in a tight loop spins a core). `END_OF_STREAM` ends the stream.
   */
  abstract execute(): MaybePromise<Out | undefined | EndOfStream>;
}

/** A bounded source: `execute()` returns the next record, or `undefined` when there are no more. */
export abstract class BatchFunction<Out = unknown, Config = any> extends BaseFunction<Config> {
  abstract execute(): MaybePromise<Out | undefined>;
}

/** One record in, one record out. Returning `undefined` drops the record. */
export abstract class MapFunction<In = any, Out = any, Config = any> extends BaseFunction<Config> {
  abstract execute(record: In): MaybePromise<Out | undefined>;
}

/**
 * One record in, any number out: return an iterable, or call `this.collect(x)`, or both. With an async
 * `execute` and `concurrency > 1`, return the records instead of collecting after an `await`.
 */
export abstract class FlatMapFunction<In = any, Out = any, Config = any> extends BaseFunction<Config> {
  /** @internal set by the runtime around each `execute` call. */
  collector: Out[] | undefined;

  abstract execute(record: In): MaybePromise<Iterable<Out> | undefined | void>;

  collect(record: Out): void {
    if (this.collector === undefined) throw new Error('collect() may only be called while execute() runs');
    this.collector.push(record);
  }
}

/** Keeps the records for which `execute` returns true. */
export abstract class FilterFunction<In = any, Config = any> extends BaseFunction<Config> {
  abstract execute(record: In): MaybePromise<boolean>;
}

/** Consumes records; `close()` is called after the last one. */
export abstract class SinkFunction<In = any, Config = any> extends BaseFunction<Config> {
  abstract execute(record: In): MaybePromise<void>;
}

/** Extracts the partition key of a record. */
export abstract class KeyByFunction<In = any, Key = unknown, Config = any> extends BaseFunction<Config> {
  abstract execute(record: In): Key;
}

/**
 * A function over connected streams: `map0` handles records of the first stream, `map1` of the second, and
 * so on. Each `mapN` for a connected stream must be defined by the subclass.
 */
export abstract class BaseCoMapFunction<Out = any, Config = any> extends BaseFunction<Config> {
  [method: `map${number}`]: ((record: any) => MaybePromise<Out | undefined>) | undefined;
}

/**
 * A keyed join of exactly two keyed streams: `execute(payload, key, tag)` is called for every record, with
 * `tag` 0 for the first stream and 1 for the second. Keep what you need in `this.ctx.state` and return the
 * joined records (an iterable), or `undefined` for none.
 */
export abstract class BaseJoinFunction<Out = any, Key = any, Config = any> extends BaseFunction<Config> {
  abstract execute(payload: any, key: Key, tag: number): MaybePromise<Iterable<Out> | undefined | void>;
}

/** A constructor of a function class taking its config object. */
export type FunctionClass<F extends BaseFunction = BaseFunction, Config = any> = new (config?: Config) => F;

/**
 * The config object a class's constructor takes. Typing operators by the class itself (rather than by
 * its config) keeps generic classes usable: `map(MyGenericMap, config)` infers from the class.
 */
export type ConfigOf<Class> = Class extends new (config?: infer Config) => unknown ? Config : never;

/** What instances of a function class emit (the `Out` of `MapFunction<In, Out>` and friends). */
export type OutputOf<Class> = Class extends new (...args: any[]) => infer Instance
  ? Instance extends { execute(...args: any[]): infer Result }
    ? UnwrapOutput<Awaited<Result>>
    : never
  : never;

type UnwrapOutput<Result> = Result extends Iterable<infer Item> ? (Result extends string ? Result : Item) : Exclude<Result, undefined | void>;

/** True when `candidate` is a SAGE function class rather than a plain function. */
export function isFunctionClass(candidate: unknown): candidate is FunctionClass {
  return typeof candidate === 'function' && candidate.prototype instanceof BaseFunction;
}
