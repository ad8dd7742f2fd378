import { ValidationError } from '@sage/common';
import { describe, expect, it } from 'vitest';
import { latencyOf, percentile } from './latency.js';

describe('latencyOf', () => {
  it('sums the stages', () => {
    expect(latencyOf({ Retriever: 12.5, QAPromptor: 0.5, Generator: 30 })).toEqual({
      totalMs: 43,
      stages: { Retriever: 12.5, QAPromptor: 0.5, Generator: 30 },
    });
    expect(latencyOf({})).toEqual({ totalMs: 0, stages: {} });
  });
});

describe('percentile', () => {
  it('takes the nearest rank: the value at position ceil(p/100 * n) in sorted order', () => {
    const five = [5, 1, 4, 2, 3];
    expect(percentile(five, 50)).toBe(3); // ceil(2.5) = 3rd of 1 2 3 4 5
    expect(percentile(five, 95)).toBe(5); // ceil(4.75) = 5th
    expect(percentile(five, 0)).toBe(1); // at least the 1st
    const twenty = Array.from({ length: 20 }, (_, index) => 20 - index);
    expect(percentile(twenty, 50)).toBe(10); // ceil(10) = 10th of 1..20
    expect(percentile(twenty, 95)).toBe(19); // ceil(19) = 19th
    expect(percentile([7], 95)).toBe(7);
  });

  it('fails without values', () => {
    expect(() => percentile([], 50)).toThrow(ValidationError);
  });
});
