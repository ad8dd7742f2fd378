import { describe, expect, it } from 'vitest';
import { NumberPostings } from './number-postings.js';

describe('NumberPostings', () => {
  it('answers ranges with inclusive and exclusive bounds', () => {
    const postings = new NumberPostings();
    for (const [label, value] of [5, 1, 3, 3, 8, -2].entries()) postings.add(label, value);
    expect([...postings.range(3, true, 5, true)]).toEqual([0, 2, 3]);
    expect([...postings.range(3, false, 5, true)]).toEqual([0]);
    expect([...postings.range(3, true, 3, true)]).toEqual([2, 3]);
    expect([...postings.range(3, false, 3, false)]).toEqual([]);
    expect([...postings.range(undefined, false, 1, false)]).toEqual([5]);
    expect([...postings.range(4, true, undefined, false)]).toEqual([0, 4]);
    expect([...postings.range(undefined, false, undefined, false)]).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('treats -0 as 0, keeps infinities and never stores NaN', () => {
    const postings = new NumberPostings();
    postings.add(0, -0);
    postings.add(1, 0);
    postings.add(2, Number.POSITIVE_INFINITY);
    postings.add(3, Number.NaN);
    postings.add(4, Number.NEGATIVE_INFINITY);
    expect(postings.size).toBe(4);
    expect([...postings.range(0, true, 0, true)]).toEqual([0, 1]);
    expect([...postings.range(1e308, false, undefined, false)]).toEqual([2]);
    expect([...postings.range(undefined, false, -1e308, true)]).toEqual([4]);
  });

  it('stays correct through removals and re-adds between queries', () => {
    const postings = new NumberPostings();
    for (let label = 0; label < 6; label++) postings.add(label, label * 10);
    postings.remove(2);
    postings.add(2, 55);
    postings.add(6, 1);
    postings.remove(6);
    postings.remove(4);
    expect(postings.size).toBe(5);
    expect([...postings.range(undefined, false, undefined, false)]).toEqual([0, 1, 2, 3, 5]);
    expect([...postings.range(50, true, 55, true)]).toEqual([2, 5]);
    postings.remove(2);
    expect([...postings.range(50, true, 60, true)]).toEqual([5]);
  });
});
