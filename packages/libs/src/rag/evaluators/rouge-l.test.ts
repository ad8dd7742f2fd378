import { ValidationError } from '@sage/common';
import { describe, expect, it } from 'vitest';
import { longestCommonSubsequence, rougeL } from './rouge-l.js';

describe('longestCommonSubsequence', () => {
  it('finds the longest subsequence in order, not necessarily contiguous', () => {
    // x y z w vs y x z w: "x z w" or "y z w", length 3.
    expect(longestCommonSubsequence(['x', 'y', 'z', 'w'], ['y', 'x', 'z', 'w'])).toBe(3);
    expect(longestCommonSubsequence(['a', 'b'], [])).toBe(0);
    expect(longestCommonSubsequence(['a', 'b', 'a'], ['b', 'a', 'b', 'a'])).toBe(3);
  });
});

describe('rougeL', () => {
  it('is the LCS F-measure (beta = 1)', () => {
    // Lin's example, articles dropped: police killed gunman vs police kill gunman: LCS police-gunman = 2,
    // P = R = 2/3, F = 2/3. Reordered: gunman police killed: LCS 1, P = R = 1/3, F = 1/3.
    expect(rougeL('police killed the gunman', ['police kill the gunman'])).toBeCloseTo(2 / 3, 12);
    expect(rougeL('the gunman police killed', ['police kill the gunman'])).toBeCloseTo(1 / 3, 12);
  });

  it('weighs precision and recall equally when lengths differ', () => {
    // cat sat on mat vs cat sat on red mat: LCS 4, P = 4/4, R = 4/5, F = 2 * 0.8 / 1.8 = 8/9.
    expect(rougeL('cat sat on mat', ['cat sat on red mat'])).toBeCloseTo(8 / 9, 12);
  });

  it('takes the best reference', () => {
    expect(rougeL('cat sat on mat', ['dog', 'cat sat on red mat'])).toBeCloseTo(8 / 9, 12);
  });

  it('scores empty answers as 0, or 1 when the reference is empty too', () => {
    expect(rougeL('', ['paris'])).toBe(0);
    expect(rougeL('The', ['an'])).toBe(1);
    expect(rougeL('london', ['paris'])).toBe(0);
  });

  it('fails without references', () => {
    expect(() => rougeL('paris', [])).toThrow(ValidationError);
    expect(() => rougeL('paris', [])).toThrow('rougeL: references must not be empty');
  });
});
