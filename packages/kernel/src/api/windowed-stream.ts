import { ValidationError } from '@sage/common';
import { type WindowDeclaration, WindowStreamOperator } from '../runtime/operators/window-stream-operator.js';
import type { TransformationInput } from '../graph/transformation.js';
import type { Evictor } from '../windowing/evictors.js';
import type { Trigger } from '../windowing/triggers.js';
import { systemClock } from '../runtime/clock.js';
import { requireNonNegativeMillis } from '../windowing/validation.js';
import { chooseWindowEngine, type WindowEngineChoice } from '../windowing/window-engine-choice.js';
import { WindowOperator } from '../windowing/window-operator.js';
import type { Window } from '../windowing/window.js';
import {
  type AggregateFunction,
  type ProcessWindowFunction,
  type ReduceFunction,
  type WindowFunction,
  WindowFunctions,
} from '../windowing/window-functions.js';
import { DataStream } from './data-stream.js';
import type { OperatorOptions } from './operator-options.js';
import type { OutputTag } from './output-tag.js';
import type { StreamBuilder } from './stream-builder.js';

type Declared = Omit<WindowDeclaration, 'function' | 'native'>;

/** Options of `aggregate`, `reduce` and `process`: the operator options plus the engine that runs the window. */
export interface WindowOperatorCallOptions extends OperatorOptions {
  /**
   * `auto` (default): the C++ engine of `@sage/sage-flow-native` when its addon loads and the window is an
   * event-time tumbling, sliding or session window with the default trigger, no evictor and a built-in
   * aggregate over the element or a field name; otherwise TypeScript. `native`: the C++ engine or a
   * `ValidationError` saying why not. `typescript`: always the TypeScript core.
   */
  engine?: WindowEngineChoice;
}

/** @internal how `window` / `windowAll` start a windowed stream. */
export interface WindowSettings extends Declared {
  /** `window` or `windowAll`, for names and messages. */
  operation: string;
  /** `windowAll` runs one instance: every record meets every other. */
  parallelismOne: boolean;
}

/**
 * A keyed stream cut into windows (made by `keyBy(...).window(assigner)`, `countWindow` or `windowAll`).
 * `trigger`, `evictor`, `allowedLateness` and `sideOutputLateData` refine the windows; `aggregate`, `reduce`
 * or `process` add the window operator and return the stream of results, each with its window's
 * `maxTimestamp` as event-time timestamp. Experimental.
 */
export class WindowedStream<T, K = unknown, W extends Window = Window> {
  /** @internal */
  constructor(
    private readonly builder: StreamBuilder,
    private readonly input: TransformationInput,
    private readonly settings: WindowSettings,
  ) {}

  private get operation(): string {
    return this.settings.operation;
  }

  /** Replaces the assigner's default trigger. */
  trigger(trigger: Trigger<any, W>): WindowedStream<T, K, W> {
    return this.with({ trigger: trigger as Trigger<any, Window> });
  }

  /** Removes elements before or after the window function runs. */
  evictor(evictor: Evictor<any, W>): WindowedStream<T, K, W> {
    return this.with({ evictor: evictor as Evictor<any, Window> });
  }

  /** Event time: elements up to `ms` after a window's end are still added and fire it again. */
  allowedLateness(ms: number): WindowedStream<T, K, W> {
    return this.with({ allowedLateness: requireNonNegativeMillis(`${this.operation}().allowedLateness`, 'ms', ms) });
  }

  /** Late elements go to this side output (`result.getSideOutput(tag)`) instead of being dropped. */
  sideOutputLateData(tag: OutputTag<T>): WindowedStream<T, K, W> {
    if (typeof tag?.id !== 'string') throw new ValidationError(`${this.operation}().sideOutputLateData: expected an OutputTag`);
    return this.with({ lateDataTag: tag.id });
  }

  /** Incremental aggregation: one accumulator per window; optionally handed to a process function. */
  aggregate<Acc, R>(aggregate: AggregateFunction<T, Acc, R>, options?: WindowOperatorCallOptions): DataStream<R>;
  aggregate<Acc, V, R>(aggregate: AggregateFunction<T, Acc, V>, process: ProcessWindowFunction<V, R, K, W>, options?: WindowOperatorCallOptions): DataStream<R>;
  aggregate<Acc, R>(aggregate: new () => AggregateFunction<T, Acc, R>, options?: WindowOperatorCallOptions): DataStream<R>;
  aggregate(target: AggregateFunction<T, unknown, unknown> | (new () => AggregateFunction<T, unknown, unknown>), second?: unknown, third?: unknown): DataStream<any> {
    const aggregate = instantiate(target);
    if (typeof aggregate?.add !== 'function' || typeof aggregate.createAccumulator !== 'function') {
      throw new ValidationError(`${this.operation}().aggregate: expected an AggregateFunction (createAccumulator, add, getResult, merge)`);
    }
    const [process, options] = splitProcess(second, third);
    return this.apply('aggregate', WindowFunctions.aggregate(aggregate, process), options);
  }

  /** Combines the elements of a window pairwise; optionally hands the result to a process function. */
  reduce(reduce: ReduceFunction<T>, options?: WindowOperatorCallOptions): DataStream<T>;
  reduce<R>(reduce: ReduceFunction<T>, process: ProcessWindowFunction<T, R, K, W>, options?: WindowOperatorCallOptions): DataStream<R>;
  reduce(reduce: ReduceFunction<T>, second?: unknown, third?: unknown): DataStream<any> {
    if (typeof reduce !== 'function') throw new ValidationError(`${this.operation}().reduce: expected a function (a, b) => c`);
    const [process, options] = splitProcess(second, third);
    return this.apply('reduce', WindowFunctions.reduce(reduce, process), options);
  }

  /** Sees every element of a firing window with its key and window (`context.window`, `currentWatermark`). */
  process<R>(process: ProcessWindowFunction<T, R, K, W> | (new () => ProcessWindowFunction<T, R, K, W>), options?: WindowOperatorCallOptions): DataStream<R>;
  process(target: ProcessWindowFunction<T, unknown, K, W> | (new () => ProcessWindowFunction<T, unknown, K, W>), options?: WindowOperatorCallOptions): DataStream<any> {
    const process = instantiate(target);
    if (typeof process?.process !== 'function') throw new ValidationError(`${this.operation}().process: expected a ProcessWindowFunction`);
    return this.apply('process', WindowFunctions.process(process), options);
  }

  private with(change: Partial<Declared>): WindowedStream<T, K, W> {
    return new WindowedStream(this.builder, this.input, { ...this.settings, ...change });
  }

  private apply(method: string, windowFunction: WindowFunction<any, any, any, any>, callOptions: WindowOperatorCallOptions | undefined): DataStream<any> {
    const engine = callOptions?.engine;
    const options: OperatorOptions = callOptions !== null && typeof callOptions === 'object' && 'engine' in callOptions ? withoutEngine(callOptions) : (callOptions as OperatorOptions);
    if (this.settings.parallelismOne && (options?.parallelism ?? 1) !== 1) {
      throw new ValidationError(`${this.operation}().${method}: windowAll runs with parallelism 1, got ${String(options?.parallelism)}`);
    }
    const { operation: _operation, parallelismOne: _parallelismOne, ...declared } = this.settings;
    const where = `${this.operation}().${method}`;
    const native = chooseWindowEngine(where, engine, { ...declared, function: windowFunction });
    const declaration: WindowDeclaration = { ...declared, function: windowFunction, native };
    // The core refuses bad combinations (lateness on processing time, a trigger that cannot merge on
    // sessions) in its constructor: build one now so the error comes from the call that declared it.
    new WindowOperator({ ...declaration, name: options?.name ?? where, output: { collect() {} }, clock: systemClock });
    const transformation = this.builder.addTransformation(this.operation, 'operator', options, [this.input], {
      createOperator: (setup) => new WindowStreamOperator(setup, declaration),
    });
    return new DataStream(this.builder, transformation);
  }
}

/** A type name for `windowAll`'s result, as in Flink; it is a windowed stream with a single key. */
export type AllWindowedStream<T, W extends Window = Window> = WindowedStream<T, undefined, W>;

function withoutEngine({ engine: _engine, ...options }: WindowOperatorCallOptions): OperatorOptions {
  return options;
}

/** Function classes (an `AggregateFunction` or `ProcessWindowFunction` subclass) get one instance per job. */
function instantiate<F extends object>(target: F | (new () => F)): F {
  return typeof target === 'function' ? new (target as new () => F)() : target;
}

function splitProcess(second: unknown, third: unknown): [ProcessWindowFunction<any, any, any, any> | undefined, WindowOperatorCallOptions | undefined] {
  if (typeof second === 'function' || typeof (second as ProcessWindowFunction<unknown, unknown> | undefined)?.process === 'function') {
    return [instantiate(second as ProcessWindowFunction<any, any, any, any>), third as WindowOperatorCallOptions | undefined];
  }
  return [undefined, second as WindowOperatorCallOptions | undefined];
}
