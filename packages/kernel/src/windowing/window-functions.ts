import type { Window } from './window.js';

/**
 * Incremental aggregation (Flink's `AggregateFunction`): the window keeps one accumulator instead of its
 * elements. `merge` combines the accumulators of session windows that merge.
 */
export interface AggregateFunction<In, Acc, Out> {
  createAccumulator(): Acc;
  add(value: In, accumulator: Acc): Acc;
  getResult(accumulator: Acc): Out;
  merge(a: Acc, b: Acc): Acc;
}

/** Combines two elements into one of the same type. */
export type ReduceFunction<T> = (a: T, b: T) => T;

export interface Collector<T> {
  collect(record: T): void;
}

/** What a process window function knows about the firing. */
export interface ProcessWindowContext<W extends Window = Window> {
  readonly window: W;
  readonly currentWatermark: number;
  readonly currentProcessingTime: number;
}

/** Sees all elements of a firing window (or the one pre-aggregated result) with the key and the window. */
export abstract class ProcessWindowFunction<In, Out, Key = unknown, W extends Window = Window> {
  abstract process(key: Key, context: ProcessWindowContext<W>, elements: readonly In[], out: Collector<Out>): void;
}

/**
 * What a window operator evaluates when a window fires: a list of elements for `process`, or an accumulator
 * for `aggregate` and `reduce`, optionally handed with the key and window to a process window function.
 */
export type WindowFunction<In, Out, Key = unknown, W extends Window = Window> =
  | { kind: 'process'; process: ProcessWindowFunction<In, Out, Key, W> }
  | { kind: 'aggregate'; aggregate: AggregateFunction<In, any, any>; process?: ProcessWindowFunction<any, Out, Key, W> };

export const WindowFunctions = {
  aggregate<In, Acc, Out, R = Out, Key = unknown, W extends Window = Window>(
    aggregate: AggregateFunction<In, Acc, Out>,
    process?: ProcessWindowFunction<Out, R, Key, W>,
  ): WindowFunction<In, R, Key, W> {
    return { kind: 'aggregate', aggregate, process };
  },

  /** Flink's `reduce`: the window keeps one reduced element. */
  reduce<T, R = T, Key = unknown, W extends Window = Window>(
    reduce: ReduceFunction<T>,
    process?: ProcessWindowFunction<T, R, Key, W>,
  ): WindowFunction<T, R, Key, W> {
    return { kind: 'aggregate', aggregate: reducing(reduce), process };
  },

  process<In, Out, Key = unknown, W extends Window = Window>(process: ProcessWindowFunction<In, Out, Key, W>): WindowFunction<In, Out, Key, W> {
    return { kind: 'process', process };
  },
};

interface Reduced<T> {
  value: T | undefined;
  empty: boolean;
}

function reducing<T>(reduce: ReduceFunction<T>): AggregateFunction<T, Reduced<T>, T> {
  return {
    createAccumulator: () => ({ value: undefined, empty: true }),
    add: (value, accumulator) => (accumulator.empty ? { value, empty: false } : { value: reduce(accumulator.value as T, value), empty: false }),
    getResult: (accumulator) => accumulator.value as T,
    merge: (a, b) => (a.empty ? b : b.empty ? a : { value: reduce(a.value as T, b.value as T), empty: false }),
  };
}
