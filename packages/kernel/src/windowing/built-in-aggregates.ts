import { ValidationError } from '@sage/common';
import { describeValue } from './validation.js';
import type { AggregateFunction } from './window-functions.js';

/** Which value of an element to aggregate: the element itself, a field name, or a selector. */
export type FieldSelector<T, V> = keyof T | ((element: T) => V) | undefined;

function select<T, V>(owner: string, field: FieldSelector<T, V>): (element: T) => V {
  if (field === undefined) return (element) => element as unknown as V;
  if (typeof field === 'function') return field as (element: T) => V;
  return (element) => {
    if (element === null || typeof element !== 'object') {
      throw new ValidationError(`${owner}: element has no field "${String(field)}": ${describeValue(element)}`, {
        details: { aggregate: owner, value: describeValue(element) },
      });
    }
    return (element as Record<PropertyKey, unknown>)[field as PropertyKey] as V;
  };
}

function requireNumber(owner: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new ValidationError(`${owner}: value must be a finite number, got ${describeValue(value)}`, {
      details: { aggregate: owner, value: describeValue(value) },
    });
  }
  return value;
}

/** The number of elements. */
export const Count: AggregateFunction<unknown, number, number> = {
  createAccumulator: () => 0,
  add: (_value, count) => count + 1,
  getResult: (count) => count,
  merge: (a, b) => a + b,
};

export const Sum = {
  of<T = number>(field?: FieldSelector<T, number>): AggregateFunction<T, number, number> {
    const value = select<T, number>('Sum', field);
    return {
      createAccumulator: () => 0,
      add: (element, sum) => sum + requireNumber('Sum', value(element)),
      getResult: (sum) => sum,
      merge: (a, b) => a + b,
    };
  },
};

/** The smallest value; `undefined` for a window without elements. */
export const Min = {
  of<T = number>(field?: FieldSelector<T, number>): AggregateFunction<T, number | undefined, number | undefined> {
    return extreme('Min', select<T, number>('Min', field), Math.min);
  },
};

/** The largest value; `undefined` for a window without elements. */
export const Max = {
  of<T = number>(field?: FieldSelector<T, number>): AggregateFunction<T, number | undefined, number | undefined> {
    return extreme('Max', select<T, number>('Max', field), Math.max);
  },
};

function extreme<T>(owner: string, value: (element: T) => number, pick: (a: number, b: number) => number): AggregateFunction<T, number | undefined, number | undefined> {
  return {
    createAccumulator: () => undefined,
    add: (element, current) => {
      const next = requireNumber(owner, value(element));
      return current === undefined ? next : pick(current, next);
    },
    getResult: (current) => current,
    merge: (a, b) => (a === undefined ? b : b === undefined ? a : pick(a, b)),
  };
}

/** The arithmetic mean; `NaN` for a window without elements. */
export const Mean = {
  of<T = number>(field?: FieldSelector<T, number>): AggregateFunction<T, { sum: number; count: number }, number> {
    const value = select<T, number>('Mean', field);
    return {
      createAccumulator: () => ({ sum: 0, count: 0 }),
      add: (element, mean) => ({ sum: mean.sum + requireNumber('Mean', value(element)), count: mean.count + 1 }),
      getResult: (mean) => mean.sum / mean.count,
      merge: (a, b) => ({ sum: a.sum + b.sum, count: a.count + b.count }),
    };
  },
};

interface VectorAccumulator {
  /** Summed in float64, so long windows do not lose precision. */
  sum: Float64Array | undefined;
  count: number;
}

function requireVector(owner: string, value: unknown, dimension: number | undefined): Float32Array {
  if (!(value instanceof Float32Array)) {
    throw new ValidationError(`${owner}: value must be a Float32Array, got ${describeValue(value)}`, {
      details: { aggregate: owner, value: describeValue(value) },
    });
  }
  if (dimension !== undefined && value.length !== dimension) {
    throw new ValidationError(`${owner}: vectors of mixed dimension in one window: ${value.length} after ${dimension}`, {
      details: { aggregate: owner, value: `Float32Array(${value.length})`, dimension },
    });
  }
  return value;
}

function vectorAggregate<T>(owner: string, field: FieldSelector<T, Float32Array>, divide: boolean): AggregateFunction<T, VectorAccumulator, Float32Array | undefined> {
  const value = select<T, Float32Array>(owner, field);
  return {
    createAccumulator: () => ({ sum: undefined, count: 0 }),
    add: (element, accumulator) => {
      const vector = requireVector(owner, value(element), accumulator.sum?.length);
      const sum = accumulator.sum ?? new Float64Array(vector.length);
      for (let index = 0; index < vector.length; index++) sum[index] += vector[index];
      return { sum, count: accumulator.count + 1 };
    },
    getResult: ({ sum, count }) => (sum === undefined ? undefined : Float32Array.from(sum, (total) => (divide ? total / count : total))),
    merge: (a, b) => {
      if (a.sum === undefined) return b;
      if (b.sum === undefined) return a;
      if (a.sum.length !== b.sum.length) requireVector(owner, new Float32Array(b.sum.length), a.sum.length);
      const sum = Float64Array.from(a.sum, (total, index) => total + b.sum![index]);
      return { sum, count: a.count + b.count };
    },
  };
}

/** Element-wise sum of `Float32Array` vectors of one dimension; `undefined` for a window without elements. */
export const VectorSum = {
  of<T = Float32Array>(field?: FieldSelector<T, Float32Array>): AggregateFunction<T, VectorAccumulator, Float32Array | undefined> {
    return vectorAggregate('VectorSum', field, false);
  },
};

/** Element-wise mean of `Float32Array` vectors of one dimension (a centroid). */
export const VectorMean = {
  of<T = Float32Array>(field?: FieldSelector<T, Float32Array>): AggregateFunction<T, VectorAccumulator, Float32Array | undefined> {
    return vectorAggregate('VectorMean', field, true);
  },
};
