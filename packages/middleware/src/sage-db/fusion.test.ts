import { ValidationError } from '@sage/common';
import { describe, expect, it } from 'vitest';
import { fuseRrf, fuseWeighted } from './fusion.js';

const list = (labels: number[], scores: number[] = labels.map((_, position) => -position)) => ({
  labels: Uint32Array.from(labels),
  scores: Float32Array.from(scores),
});

describe('fuseRrf', () => {
  it('sums 1 / (rrfK + rank) over the lists', () => {
    const fused = fuseRrf([list([1, 2, 3]), list([3, 1, 4])], 10);
    // 1: 1/61 + 1/62 · 3: 1/63 + 1/61 · 2: 1/62 · 4: 1/63
    expect(fused.map((hit) => hit.label)).toEqual([1, 3, 2, 4]);
    expect(fused[0]!.score).toBeCloseTo(0.03252247488101534, 15);
    expect(fused[1]!.score).toBeCloseTo(0.032266458495966696, 15);
    expect(fused[2]!.score).toBeCloseTo(0.016129032258064516, 15);
    expect(fused[3]!.score).toBeCloseTo(0.015873015873015872, 15);
    expect(fused.map((hit) => hit.ranks)).toEqual([
      [1, 2],
      [3, 1],
      [2, null],
      [null, 3],
    ]);
  });

  it('honours rrfK and k, and breaks ties by label', () => {
    const fused = fuseRrf([list([6, 5]), list([5, 6]), list([9])], 3, 0);
    // 5 and 6: 1/1 + 1/2 = 1.5 each; 9: 1/1 = 1.
    expect(fused).toEqual([
      { label: 5, score: 1.5, ranks: [2, 1, null] },
      { label: 6, score: 1.5, ranks: [1, 2, null] },
      { label: 9, score: 1, ranks: [null, null, 1] },
    ]);
    expect(fuseRrf([list([6, 5]), list([5, 6])], 1, 0).map((hit) => hit.label)).toEqual([5]);
    expect(fuseRrf([list([1])], 0)).toEqual([]);
    expect(fuseRrf([], 5)).toEqual([]);
  });

  it('counts a label listed twice at its best rank', () => {
    expect(fuseRrf([list([4, 4, 2])], 5, 0)).toEqual([
      { label: 4, score: 1, ranks: [1] },
      { label: 2, score: 1 / 3, ranks: [3] },
    ]);
  });

  it('refuses bad arguments', () => {
    expect(() => fuseRrf([list([1])], -1)).toThrow(ValidationError);
    expect(() => fuseRrf([list([1])], 2, -1)).toThrow('rrfK must be a finite number >= 0');
    expect(() => fuseRrf([{ labels: [1.5], scores: [0] }], 2)).toThrow('fuseRrf: lists[0].labels[0] must be a non-negative integer');
  });
});

describe('fuseWeighted', () => {
  it('min-max normalises each list and sums the weighted scores', () => {
    const fused = fuseWeighted(
      [
        { ...list([1, 2, 3], [0.9, 0.5, 0.1]), weight: 0.7 },
        { ...list([3, 4], [12, 4]), weight: 0.3 },
      ],
      10,
    );
    // vector side normalised: 1 → 1, 2 → 0.5, 3 → 0; text side: 3 → 1, 4 → 0.
    expect(fused.map((hit) => hit.label)).toEqual([1, 2, 3, 4]);
    expect(fused[0]!.score).toBeCloseTo(0.7, 6);
    expect(fused[1]!.score).toBeCloseTo(0.35, 6);
    expect(fused[2]!.score).toBeCloseTo(0.3, 6);
    expect(fused[3]!.score).toBe(0);
    expect(fused.map((hit) => hit.ranks)).toEqual([
      [1, null],
      [2, null],
      [3, 1],
      [null, 2],
    ]);
  });

  it('normalises a list of equal scores to 1, handles negative (l2) scores, ties by label', () => {
    const fused = fuseWeighted(
      [
        { ...list([10, 11, 12], [-1, -4, -10]), weight: 0.5 },
        { ...list([13, 12], [2, 2]), weight: 0.5 },
      ],
      10,
    );
    // 10: 0.5 · 1 · 12: 0.5 · 0 + 0.5 · 1 · 13: 0.5 · 1 · 11: 0.5 · (6 / 9)
    expect(fused.map((hit) => [hit.label, hit.score])).toEqual([
      [10, 0.5],
      [12, 0.5],
      [13, 0.5],
      [11, 0.3333333333333333],
    ]);
    expect(fuseWeighted([{ ...list([7], [-3]), weight: 2 }], 5)).toEqual([{ label: 7, score: 2, ranks: [1] }]);
    expect(fuseWeighted([{ ...list([7, 8], [3, 1]), weight: 0.5 }], 1)).toEqual([{ label: 7, score: 0.5, ranks: [1] }]);
  });

  it('refuses bad weights and scores', () => {
    expect(() => fuseWeighted([{ ...list([1]), weight: -0.1 }], 2)).toThrow('fuseWeighted: lists[0].weight must be a finite number >= 0');
    expect(() => fuseWeighted([{ labels: [1, 2], scores: [1], weight: 1 }], 2)).toThrow('as many scores as labels');
    expect(() => fuseWeighted([{ labels: [1], scores: [Number.NaN], weight: 1 }], 2)).toThrow('lists[0].scores[0] must be finite');
  });
});
