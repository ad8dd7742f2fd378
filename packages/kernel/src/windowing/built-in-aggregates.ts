import { ValidationError } from '@sage/common';
import { describeValue } from './validation.js';
import type { AggregateFunction } from './window-functions.js';

/** Which value of an element to aggregate: the element itself, a field name, or a selector. */
export type FieldSelector<T, V> = keyof T | ((element: T) => V) | undefined;

export type BuiltInAggregateKind = 'count' | 'sum' | 'min' | 'max' | 'mean' | 'vectorSum' | 'vectorMean' | 'topK';

/** What a built-in aggregate computes, so a window operator can run it in the native engine instead. */
export interface BuiltInAggregate {
  kind: BuiltInAggregateKind;
  /** The selector the aggregate was made with: absent, a field name, or a function (which only runs in TypeScript). */
  field: FieldSelector<unknown, unknown>;
  /** Top-k only. */
  k?: number;
  query?: Float32Array;
}

const BUILT_IN = Symbol('sage.builtInAggregate');

function describe<F extends object>(aggregate: F, description: BuiltInAggregate): F {
  Object.defineProperty(aggregate, BUILT_IN, { value: Object.freeze(description) });
  return aggregate;
}

/** The description of a built-in aggregate (`Count`, `Sum.of(...)`, ...); `undefined` for any other function. */
export function builtInAggregateOf(aggregate: object): BuiltInAggregate | undefined {
  return (aggregate as { [BUILT_IN]?: BuiltInAggregate })[BUILT_IN];
}

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
export const Count: AggregateFunction<unknown, number, number> = describe(
  {
    createAccumulator: () => 0,
    add: (_value: unknown, count: number) => count + 1,
    getResult: (count: number) => count,
    merge: (a: number, b: number) => a + b,
  },
  { kind: 'count', field: undefined },
);

export const Sum = {
  of<T = number>(field?: FieldSelector<T, number>): AggregateFunction<T, number, number> {
    const value = select<T, number>('Sum', field);
    const sum: AggregateFunction<T, number, number> = {
      createAccumulator: () => 0,
      add: (element, total) => total + requireNumber('Sum', value(element)),
      getResult: (total) => total,
      merge: (a, b) => a + b,
    };
    return describe(sum, { kind: 'sum', field: field as FieldSelector<unknown, unknown> });
  },
};

/** The smallest value; `undefined` for a window without elements. */
export const Min = {
  of<T = number>(field?: FieldSelector<T, number>): AggregateFunction<T, number | undefined, number | undefined> {
    return describe(extreme('Min', select<T, number>('Min', field), Math.min), { kind: 'min', field: field as FieldSelector<unknown, unknown> });
  },
};

/** The largest value; `undefined` for a window without elements. */
export const Max = {
  of<T = number>(field?: FieldSelector<T, number>): AggregateFunction<T, number | undefined, number | undefined> {
    return describe(extreme('Max', select<T, number>('Max', field), Math.max), { kind: 'max', field: field as FieldSelector<unknown, unknown> });
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
    const mean: AggregateFunction<T, { sum: number; count: number }, number> = {
      createAccumulator: () => ({ sum: 0, count: 0 }),
      add: (element, accumulator) => ({ sum: accumulator.sum + requireNumber('Mean', value(element)), count: accumulator.count + 1 }),
      getResult: (accumulator) => accumulator.sum / accumulator.count,
      merge: (a, b) => ({ sum: a.sum + b.sum, count: a.count + b.count }),
    };
    return describe(mean, { kind: 'mean', field: field as FieldSelector<unknown, unknown> });
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
  const kind = divide ? 'vectorMean' : 'vectorSum';
  return describe<AggregateFunction<T, VectorAccumulator, Float32Array | undefined>>({
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
  }, { kind, field: field as FieldSelector<unknown, unknown> });
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

/** One entry of a `TopK` result: an element's vector and its cosine similarity to the query. */
export interface TopKItem {
  score: number;
  vector: Float32Array;
}

interface TopKAccumulator {
  /** Best first, at most k. */
  items: TopKItem[];
}

/** Cosine similarity in float64; 0 when either vector is all zeros. */
export function cosineSimilarity(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let normA = 0;
  let normB = 0;
  for (let index = 0; index < a.length; index++) {
    dot += a[index] * b[index];
    normA += a[index] * a[index];
    normB += b[index] * b[index];
  }
  if (normA === 0 || normB === 0) return 0;
  return dot / (Math.sqrt(normA) * Math.sqrt(normB));
}

function compareVectors(a: Float32Array, b: Float32Array): number {
  const length = Math.min(a.length, b.length);
  for (let index = 0; index < length; index++) {
    if (a[index] !== b[index]) return a[index] < b[index] ? -1 : 1;
  }
  return a.length - b.length;
}

/** Higher score first; equal scores by the vectors, so the result does not depend on arrival order. */
function rankTopK(a: TopKItem, b: TopKItem): number {
  if (a.score !== b.score) return b.score - a.score;
  return compareVectors(a.vector, b.vector);
}

/**
 * The `k` elements of a window most similar to `query` by cosine similarity, best first, as
 * `{ score, vector }` items; the vectors (`Float32Array`, the query's dimension) are read from `field`.
 */
export const TopK = {
  of<T = Float32Array>(k: number, query: Float32Array, field?: FieldSelector<T, Float32Array>): AggregateFunction<T, TopKAccumulator, TopKItem[]> {
    if (typeof k !== 'number' || !Number.isSafeInteger(k) || k <= 0) {
      throw new ValidationError(`TopK.of: k must be a positive integer, got ${describeValue(k)}`, { details: { aggregate: 'TopK', k: describeValue(k) } });
    }
    if (!(query instanceof Float32Array) || query.length === 0) {
      throw new ValidationError(`TopK.of: query must be a non-empty Float32Array, got ${describeValue(query)}`, { details: { aggregate: 'TopK', query: describeValue(query) } });
    }
    const value = select<T, Float32Array>('TopK', field);
    const keep = (items: TopKItem[]) => (items.length > k ? items.slice(0, k) : items);
    const topK: AggregateFunction<T, TopKAccumulator, TopKItem[]> = {
      createAccumulator: () => ({ items: [] }),
      add: (element, accumulator) => {
        const vector = requireVector('TopK', value(element), undefined);
        if (vector.length !== query.length) {
          throw new ValidationError(`TopK: vector of dimension ${vector.length} does not match the query's ${query.length}`, {
            details: { aggregate: 'TopK', value: `Float32Array(${vector.length})`, dimension: query.length },
          });
        }
        const item = { score: cosineSimilarity(vector, query), vector: Float32Array.from(vector) };
        return { items: keep([...accumulator.items, item].sort(rankTopK)) };
      },
      getResult: (accumulator) => accumulator.items.map((item) => ({ score: item.score, vector: Float32Array.from(item.vector) })),
      merge: (a, b) => ({ items: keep([...a.items, ...b.items].sort(rankTopK)) }),
    };
    return describe(topK, { kind: 'topK', field: field as FieldSelector<unknown, unknown>, k, query: Float32Array.from(query) });
  },
};
