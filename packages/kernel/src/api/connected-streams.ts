import { PipelineError, ValidationError } from '@sage/common';
import { CoMapOperator } from '../runtime/operators/co-map-operator.js';
import { JoinOperator } from '../runtime/operators/join-operator.js';
import { MapOperator } from '../runtime/operators/map-operator.js';
import { parseCall } from './call-shape.js';
import { DataStream } from './data-stream.js';
import {
  BaseCoMapFunction,
  BaseJoinFunction,
  type ConfigOf,
  isFunctionClass,
  MapFunction,
  type MaybePromise,
  type OutputOf,
} from './functions.js';
import { KeyedStream } from './keyed-stream.js';
import type { OperatorOptions } from './operator-options.js';
import type { StreamBuilder } from './stream-builder.js';

/** Two or more streams read by one operator (`coMap`, `join`, or `map` as a union). */
export class ConnectedStreams {
  /** @internal */
  constructor(
    private readonly builder: StreamBuilder,
    readonly streams: readonly DataStream<any>[],
  ) {}

  /** Adds more streams to the connection. */
  connect(...others: Array<DataStream<any> | ConnectedStreams>): ConnectedStreams {
    return this.streams[0]!.connect(...this.streams.slice(1), ...others);
  }

  /** Union: applies one function to the records of every connected stream. */
  map<U>(fn: (record: any) => MaybePromise<U>, options?: OperatorOptions): DataStream<Exclude<U, undefined>>;
  map<F extends new (config?: any) => MapFunction<any, any>>(fn: F, config?: ConfigOf<F>, options?: OperatorOptions): DataStream<OutputOf<F>>;
  map(target: unknown, second?: unknown, third?: unknown): any {
    const { userFunction, options } = parseCall('map on connected streams', MapFunction, target, second, third);
    return this.add('map', options, (setup) => new MapOperator(setup, userFunction));
  }

  /**
   * Applies `mapN` of a `BaseCoMapFunction` class to the records of the N-th connected stream. The class
   * must define `map0` … `mapN` for every connected stream.
   */
  coMap<F extends new (config?: any) => BaseCoMapFunction<any>>(
    fn: F,
    config?: ConfigOf<F>,
    options?: OperatorOptions,
  ): DataStream<F extends new (config?: any) => BaseCoMapFunction<infer U> ? U : never> {
    const where = `coMap over ${this.streams.length} streams`;
    if (!isFunctionClass(fn) || !(fn.prototype instanceof BaseCoMapFunction)) {
      throw new ValidationError(`${where}: expected a class extending BaseCoMapFunction`);
    }
    const missing: string[] = [];
    for (let index = 0; index < this.streams.length; index++) {
      if (!definedBelow(fn.prototype, BaseCoMapFunction.prototype, `map${index}`)) missing.push(`map${index}`);
    }
    if (missing.length > 0) {
      throw new ValidationError(`${where}: ${fn.name} must define ${missing.join(', ')} (one method per connected stream)`);
    }
    const userFunction = { target: fn, config };
    const inputs = this.streams.length;
    return this.add('coMap', options, (setup) => new CoMapOperator(setup, userFunction, inputs));
  }

  /**
   * Keyed join of exactly two keyed streams: `execute(payload, key, tag)` sees every record of both, with
   * `tag` 0 or 1, on the instance that owns the key.
   */
  join<F extends new (config?: any) => BaseJoinFunction<any>>(
    fn: F,
    config?: ConfigOf<F>,
    options?: OperatorOptions,
  ): DataStream<F extends new (config?: any) => BaseJoinFunction<infer U> ? U : never> {
    if (this.streams.length !== 2) {
      throw new PipelineError(`join needs exactly two connected streams, got ${this.streams.length}`);
    }
    const unkeyed = this.streams.filter((stream) => !(stream instanceof KeyedStream));
    if (unkeyed.length > 0) {
      throw new PipelineError(
        `join needs two keyed streams: call keyBy() on ${unkeyed.map((stream) => `"${stream.name}"`).join(' and ')} before connect()`,
      );
    }
    if (!isFunctionClass(fn) || !(fn.prototype instanceof BaseJoinFunction)) {
      throw new ValidationError('join: expected a class extending BaseJoinFunction');
    }
    const userFunction = { target: fn, config };
    return this.add('join', options, (setup) => new JoinOperator(setup, userFunction));
  }

  private add(
    operation: string,
    options: OperatorOptions | undefined,
    createOperator: Parameters<StreamBuilder['addTransformation']>[4]['createOperator'],
  ): DataStream<any> {
    const inputs = this.streams.map((stream, index) => stream.inputFor(index));
    const transformation = this.builder.addTransformation(operation, 'operator', options, inputs, { createOperator }, inputs.length);
    return new DataStream(this.builder, transformation);
  }
}

/** True when `method` is a function found on `prototype`'s chain before reaching `stop`. */
function definedBelow(prototype: object, stop: object, method: string): boolean {
  for (let current = prototype; current !== null && current !== stop; current = Object.getPrototypeOf(current)) {
    if (Object.hasOwn(current, method)) return typeof (current as Record<string, unknown>)[method] === 'function';
  }
  return false;
}
