import { ValidationError } from '@sage/common';
import { describe, expect, it } from 'vitest';
import { bleu } from './bleu.js';

describe('bleu', () => {
  it('is 1 for a prediction equal to a reference of at least four tokens', () => {
    // Tokens quick brown fox jumps over lazy dog (7): p1 = 7/7, p2..p4 = (m + 1) / (m + 1) = 1, BP = 1.
    expect(bleu('The quick brown fox jumps over the lazy dog', ['the quick brown fox jumps over the lazy dog'])).toBeCloseTo(1, 12);
  });

  it('smooths the higher orders of a short exact answer (add-one, NLTK method2)', () => {
    // "paris": p1 = 1/1; no bigram, trigram or 4-gram: 0 matches of max(1, 0) = 1, smoothed (0 + 1) / (1 + 1).
    // BLEU = (1 * 1/2 * 1/2 * 1/2)^(1/4) = 0.5^(3/4) ≈ 0.5946.
    expect(bleu('Paris', ['Paris'])).toBeCloseTo(0.5 ** 0.75, 12);
  });

  it('combines smoothed precisions with the brevity penalty', () => {
    // Prediction cat sat on mat (c = 4), reference cat sat on red mat (r = 5).
    // p1 = 4/4. Bigrams cat-sat, sat-on, on-mat: 2 in the reference, p2 = (2 + 1) / (3 + 1) = 3/4.
    // Trigrams cat-sat-on, sat-on-mat: 1, p3 = (1 + 1) / (2 + 1) = 2/3. 4-gram cat-sat-on-mat: 0, p4 = 1/2.
    // Geometric mean (1 * 3/4 * 2/3 * 1/2)^(1/4) = (1/4)^(1/4) = 1/√2; BP = exp(1 - 5/4) = exp(-1/4).
    // BLEU = exp(-0.25) / √2 ≈ 0.5507.
    expect(bleu('cat sat on mat', ['cat sat on red mat'])).toBeCloseTo(Math.exp(-0.25) / Math.SQRT2, 12);
  });

  it('clips each n-gram count to its count in a reference', () => {
    // cat cat cat vs cat sat: p1 = min(3, 1) / 3 = 1/3; bigrams cat-cat x2: p2 = (0 + 1) / (2 + 1) = 1/3;
    // trigram: p3 = (0 + 1) / (1 + 1) = 1/2; no 4-gram: p4 = 1/2. c = 3 > r = 2, so BP = 1.
    // BLEU = (1/3 * 1/3 * 1/2 * 1/2)^(1/4) = (1/36)^(1/4) = 1/√6 ≈ 0.4082.
    expect(bleu('cat cat cat', ['cat sat'])).toBeCloseTo(1 / Math.sqrt(6), 12);
  });

  it('clips against every reference and takes the brevity penalty from the closest length', () => {
    // x y z against "x y z w v u" (6) and "x y" (2): closest to c = 3 is 2, so BP = 1.
    // p1 = 3/3, p2 = (2 + 1) / (2 + 1), p3 = (1 + 1) / (1 + 1), p4 = (0 + 1) / (1 + 1): BLEU = (1/2)^(1/4).
    expect(bleu('x y z', ['x y z w v u', 'x y'])).toBeCloseTo(0.5 ** 0.25, 12);
    // p q (c = 2) against "p" (1) and "p q r" (3): a tie, the shorter (1) wins, so BP = 1 (not exp(1 - 3/2)).
    // p1 = 2/2, p2 = (1 + 1) / (1 + 1), p3 = p4 = 1/2: BLEU = (1/4)^(1/4) = 1/√2.
    expect(bleu('p q', ['p', 'p q r'])).toBeCloseTo(Math.SQRT1_2, 12);
  });

  it('is 0 for an empty prediction or one sharing no token with the references', () => {
    expect(bleu('', ['paris'])).toBe(0);
    expect(bleu('The!', ['paris'])).toBe(0);
    expect(bleu('london is big', ['paris is', 'lyon'])).toBeGreaterThan(0);
    expect(bleu('london', ['paris', 'lyon'])).toBe(0);
  });

  it('fails without references', () => {
    expect(() => bleu('paris', [])).toThrow(ValidationError);
    expect(() => bleu('paris', [])).toThrow('bleu: references must not be empty');
  });
});
