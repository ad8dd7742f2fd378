import { ValidationError } from '@sage/common';
import { describe, expect, it } from 'vitest';
import { EventTimeSessionWindows, TumblingEventTimeWindows } from './assigners.js';
import { Count, Max, Mean, Min, Sum, VectorMean, VectorSum } from './built-in-aggregates.js';
import type { AggregateFunction } from './window-functions.js';
import { WindowFunctions } from './window-functions.js';
import { WindowOperatorTestHarness } from './window-operator-test-harness.js';

function fold<In, Acc, Out>(aggregate: AggregateFunction<In, Acc, Out>, values: In[]): Out {
  return aggregate.getResult(values.reduce((accumulator, value) => aggregate.add(value, accumulator), aggregate.createAccumulator()));
}

function foldMerged<In, Acc, Out>(aggregate: AggregateFunction<In, Acc, Out>, left: In[], right: In[]): Out {
  const accumulate = (values: In[]) => values.reduce((accumulator, value) => aggregate.add(value, accumulator), aggregate.createAccumulator());
  return aggregate.getResult(aggregate.merge(accumulate(left), accumulate(right)));
}

describe('numeric aggregates', () => {
  it('Count, Sum, Min, Max and Mean over numbers, fields and selectors', () => {
    expect(fold(Count, ['a', 'b', 'c'])).toBe(3);
    expect(fold(Sum.of(), [1, 2, 3.5])).toBe(6.5);
    expect(fold(Sum.of<{ amount: number }>('amount'), [{ amount: 2 }, { amount: 5 }])).toBe(7);
    expect(fold(Min.of<{ n: number }>((element) => element.n), [{ n: 4 }, { n: -2 }])).toBe(-2);
    expect(fold(Max.of(), [4, 9, -1])).toBe(9);
    expect(fold(Mean.of(), [1, 2, 6])).toBe(3);
  });

  it('behave on empty windows and merge like one pass', () => {
    expect(fold(Min.of(), [])).toBeUndefined();
    expect(fold(Max.of(), [])).toBeUndefined();
    expect(fold(Mean.of(), [])).toBeNaN();
    expect(foldMerged(Count, [1, 2], [3])).toBe(3);
    expect(foldMerged(Sum.of(), [1, 2], [3])).toBe(6);
    expect(foldMerged(Min.of(), [], [3, 1])).toBe(1);
    expect(foldMerged(Max.of(), [5], [])).toBe(5);
    expect(foldMerged(Mean.of(), [1], [2, 6])).toBe(3);
  });

  it('reject values that are not finite numbers, naming the aggregate and the value', () => {
    expect(() => fold(Sum.of(), [1, Number.NaN])).toThrow(/Sum: value must be a finite number, got NaN/);
    expect(() => fold(Mean.of<{ x: unknown }>('x'), [{ x: '3' }])).toThrow(/Mean: value must be a finite number, got "3"/);
    expect(() => fold(Max.of<unknown>('x' as never), [7])).toThrow(/Max: element has no field "x": 7/);
  });
});

describe('vector aggregates', () => {
  const vector = (...values: number[]) => Float32Array.from(values);

  it('sum and average Float32Array vectors element-wise', () => {
    expect(fold(VectorSum.of(), [vector(1, 2), vector(3, 4)])).toEqual(vector(4, 6));
    expect(fold(VectorMean.of<{ embedding: Float32Array }>('embedding'), [{ embedding: vector(1, 2) }, { embedding: vector(3, 6) }])).toEqual(vector(2, 4));
    expect(fold(VectorMean.of(), [])).toBeUndefined();
    expect(foldMerged(VectorMean.of(), [vector(1, 1)], [vector(3, 3), vector(5, 5)])).toEqual(vector(3, 3));
    expect(foldMerged(VectorSum.of(), [], [vector(1)])).toEqual(vector(1));
  });

  it('reject vectors of mixed dimension and values that are not vectors', () => {
    expect(() => fold(VectorSum.of(), [vector(1, 2), vector(1, 2, 3)])).toThrow(/VectorSum: vectors of mixed dimension in one window: 3 after 2/);
    expect(() => foldMerged(VectorMean.of(), [vector(1)], [vector(1, 2)])).toThrow(/VectorMean: vectors of mixed dimension/);
    expect(() => fold(VectorMean.of(), [[1, 2] as unknown as Float32Array])).toThrow(/VectorMean: value must be a Float32Array, got \[1,2\]/);
  });

  it('in a window operator, mixed dimensions are a ValidationError naming the operator and the value', () => {
    const harness = new WindowOperatorTestHarness<{ user: string; embedding: Float32Array }, Float32Array | undefined, string>({
      name: 'centroids',
      assigner: TumblingEventTimeWindows.of(10),
      keySelector: (event) => event.user,
      function: WindowFunctions.aggregate(VectorMean.of<{ user: string; embedding: Float32Array }>('embedding')),
    });
    harness.processElement({ user: 'a', embedding: vector(1, 2) }, 1);
    let thrown: unknown;
    try {
      harness.processElement({ user: 'a', embedding: vector(1, 2, 3) }, 2);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ValidationError);
    expect((thrown as ValidationError).message).toBe('window operator "centroids": VectorMean: vectors of mixed dimension in one window: 3 after 2');
    expect((thrown as ValidationError).details).toMatchObject({ operator: 'centroids', value: 'Float32Array(3)', dimension: 2 });
  });

  it('also when two session windows of different dimension merge', () => {
    const harness = new WindowOperatorTestHarness<Float32Array, Float32Array | undefined>({
      name: 'session_centroids',
      assigner: EventTimeSessionWindows.withGap(5),
      function: WindowFunctions.aggregate(VectorSum.of()),
    });
    harness.processElement(vector(1, 2), 0);
    harness.processElement(vector(1, 2, 3), 10);
    expect(() => harness.processElement(vector(1, 2), 5)).toThrow(/window operator "session_centroids": VectorSum: vectors of mixed dimension/);
  });
});
