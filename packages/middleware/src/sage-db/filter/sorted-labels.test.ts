import { describe, expect, it } from 'vitest';
import {
  differenceSorted,
  dropRepeats,
  intersectManySorted,
  intersectSorted,
  isStrictlyAscending,
  lowerBound,
  unionManySorted,
  unionSorted,
} from './sorted-labels.js';

const labels = (...values: number[]) => Uint32Array.from(values);

/** A random ascending set of about `density * range` labels below `range`. */
function randomSet(random: () => number, range: number, density: number): Uint32Array {
  const out: number[] = [];
  for (let label = 0; label < range; label++) if (random() < density) out.push(label);
  return Uint32Array.from(out);
}

function lcg(seed: number): () => number {
  let state = seed;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296;
  };
}

describe('sorted label sets', () => {
  it('finds lower bounds', () => {
    const set = labels(2, 4, 4, 9);
    expect([0, 2, 3, 4, 5, 9, 10].map((label) => lowerBound(set, label))).toEqual([0, 0, 1, 1, 3, 3, 4]);
    expect(lowerBound(set, 9, 0, 2)).toBe(2);
  });

  it('intersects, unites and subtracts small sets', () => {
    expect([...intersectSorted(labels(1, 3, 5, 7), labels(3, 4, 5, 8))]).toEqual([3, 5]);
    expect([...unionSorted(labels(1, 3, 5), labels(2, 3, 9))]).toEqual([1, 2, 3, 5, 9]);
    expect([...differenceSorted(labels(1, 3, 5, 7), labels(3, 7, 8))]).toEqual([1, 5]);
    expect([...unionManySorted([labels(5), labels(), labels(1, 5), labels(2, 9)])]).toEqual([1, 2, 5, 9]);
    expect([...intersectManySorted([labels(1, 2, 3, 4), labels(2, 4), labels(0, 2, 3, 4)])]).toEqual([2, 4]);
    expect([...intersectSorted(labels(), labels(1))]).toEqual([]);
    expect([...differenceSorted(labels(1, 2), labels())]).toEqual([1, 2]);
    expect([...dropRepeats(labels(1, 1, 2, 2, 2, 3))]).toEqual([1, 2, 3]);
  });

  it('agrees with Set arithmetic on random sets of very different sizes (merge and lookup paths)', () => {
    const random = lcg(7);
    for (const [leftDensity, rightDensity] of [
      [0.5, 0.5],
      [0.9, 0.01],
      [0.005, 0.8],
    ] as const) {
      const left = randomSet(random, 5000, leftDensity);
      const right = randomSet(random, 5000, rightDensity);
      const rightSet = new Set(right);
      const leftSet = new Set(left);
      expect([...intersectSorted(left, right)]).toEqual([...left].filter((label) => rightSet.has(label)));
      expect([...differenceSorted(left, right)]).toEqual([...left].filter((label) => !rightSet.has(label)));
      expect([...differenceSorted(right, left)]).toEqual([...right].filter((label) => !leftSet.has(label)));
      expect([...unionSorted(left, right)]).toEqual([...new Set([...left, ...right])].sort((a, b) => a - b));
    }
  });

  it('never modifies its inputs', () => {
    const left = labels(1, 2, 3);
    const right = labels(2, 3, 4);
    intersectSorted(left, right);
    unionSorted(left, right);
    differenceSorted(left, right);
    unionManySorted([left, right, labels(0)]);
    expect([...left, ...right]).toEqual([1, 2, 3, 2, 3, 4]);
  });

  it('checks strict ascent', () => {
    expect(isStrictlyAscending(labels())).toBe(true);
    expect(isStrictlyAscending(labels(1, 2, 5))).toBe(true);
    expect(isStrictlyAscending(labels(1, 1))).toBe(false);
    expect(isStrictlyAscending(labels(2, 1))).toBe(false);
  });
});
