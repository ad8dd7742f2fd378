import { ValidationError } from '@sage/common';
import { describe, expect, it } from 'vitest';
import { ndcgAtK, recallAtK, reciprocalRank } from './retrieval-metrics.js';

// Relevant: d1, d2, d8. Retrieved, best first: d3 d1 d7 d2 d9 (relevant at ranks 2 and 4).
const RETRIEVED = ['d3', 'd1', 'd7', 'd2', 'd9'];
const RELEVANT = ['d1', 'd2', 'd8'];

describe('recallAtK', () => {
  it('is the share of relevant ids in the top k', () => {
    expect(recallAtK(RETRIEVED, RELEVANT, 1)).toBe(0); // d3
    expect(recallAtK(RETRIEVED, RELEVANT, 3)).toBeCloseTo(1 / 3, 12); // d1 of 3 relevant
    expect(recallAtK(RETRIEVED, RELEVANT, 5)).toBeCloseTo(2 / 3, 12); // d1, d2
    expect(recallAtK(RETRIEVED, RELEVANT, 100)).toBeCloseTo(2 / 3, 12); // k beyond the list
    expect(recallAtK([], RELEVANT, 5)).toBe(0);
  });
});

describe('reciprocalRank', () => {
  it('is 1 / rank of the first relevant id in the top k, else 0', () => {
    expect(reciprocalRank(RETRIEVED, RELEVANT, 5)).toBe(1 / 2); // d1 at rank 2
    expect(reciprocalRank(RETRIEVED, RELEVANT, 1)).toBe(0);
    expect(reciprocalRank(['d2'], RELEVANT, 1)).toBe(1);
  });
});

describe('ndcgAtK', () => {
  it('divides the DCG of the ranking by the DCG of the ideal one', () => {
    // DCG@5 = 1/log2(2 + 1) + 1/log2(4 + 1) = 0.6309 + 0.4307 = 1.0616.
    // Ideal: 3 relevant ids at ranks 1..3: 1 + 1/log2(3) + 1/log2(4) = 1 + 0.6309 + 0.5 = 2.1309. nDCG ≈ 0.4982.
    expect(ndcgAtK(RETRIEVED, RELEVANT, 5)).toBeCloseTo((1 / Math.log2(3) + 1 / Math.log2(5)) / (1 + 1 / Math.log2(3) + 0.5), 12);
    expect(ndcgAtK(RETRIEVED, RELEVANT, 5)).toBeCloseTo(0.4982, 4);
    // @2: DCG = 1/log2(3); ideal = 1 + 1/log2(3): 0.6309 / 1.6309 ≈ 0.3869.
    expect(ndcgAtK(RETRIEVED, RELEVANT, 2)).toBeCloseTo(0.3869, 4);
    expect(ndcgAtK(['d1', 'd2', 'd8'], RELEVANT, 3)).toBeCloseTo(1, 12);
    expect(ndcgAtK(['d9'], RELEVANT, 3)).toBe(0);
  });

  it('counts an id retrieved twice once, at its first rank', () => {
    // d1 d1 d2: d1 at rank 1, d2 at rank 3. DCG = 1 + 1/log2(4) = 1.5; ideal (2 relevant) = 1 + 1/log2(3).
    expect(ndcgAtK(['d1', 'd1', 'd2'], ['d1', 'd2'], 3)).toBeCloseTo(1.5 / (1 + 1 / Math.log2(3)), 12);
    expect(recallAtK(['d1', 'd1'], ['d1', 'd2'], 2)).toBe(0.5);
  });
});

describe('retrieval metrics without relevant ids or with a bad k', () => {
  it('fail with a ValidationError', () => {
    expect(() => recallAtK(RETRIEVED, [], 5)).toThrow(ValidationError);
    expect(() => recallAtK(RETRIEVED, [], 5)).toThrow('recallAtK: relevantIds must not be empty');
    expect(() => reciprocalRank(RETRIEVED, [], 5)).toThrow('mrr: relevantIds must not be empty');
    expect(() => ndcgAtK(RETRIEVED, [], 5)).toThrow('ndcgAtK: relevantIds must not be empty');
    expect(() => ndcgAtK(RETRIEVED, RELEVANT, 0)).toThrow('k must be a positive integer, got 0');
  });
});
