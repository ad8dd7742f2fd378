import { ValidationError } from '@sage/common';
import { describe, expect, it } from 'vitest';
import { toBitmap } from '../filter/bitmap.js';
import { Bm25Index } from './bm25-index.js';

/** One term's BM25 contribution, written out from the formula (k1 = 1.2, b = 0.75 unless given). */
function termScore(documents: number, containing: number, tf: number, length: number, averageLength: number, k1 = 1.2, b = 0.75): number {
  const idf = Math.log(1 + (documents - containing + 0.5) / (containing + 0.5));
  return (idf * tf * (k1 + 1)) / (tf + k1 * (1 - b + (b * length) / averageLength));
}

/**
 * Tokens after stop words: 0 quick brown fox (3) · 1 quick quick dog (3) · 2 lazy dog sleeps all day (5)
 * · 3 brown bread (2). N = 4, total length 13, avgdl 3.25.
 */
function corpus(index = new Bm25Index()): Bm25Index {
  index.add(0, 'The quick brown fox');
  index.add(1, 'Quick, quick dog.');
  index.add(2, 'A lazy dog sleeps all day');
  index.add(3, 'Brown bread');
  return index;
}

describe('Bm25Index', () => {
  it('scores a tiny corpus as the formula does', () => {
    const index = corpus();
    expect(index.size).toBe(4);
    const result = index.search('quick dog', 10);
    // quick: in 0 and 1 (n = 2); dog: in 1 and 2 (n = 2).
    const expected = [
      [1, termScore(4, 2, 2, 3, 3.25) + termScore(4, 2, 1, 3, 3.25)],
      [0, termScore(4, 2, 1, 3, 3.25)],
      [2, termScore(4, 2, 1, 5, 3.25)],
    ] as const;
    expect([...result.labels]).toEqual(expected.map(([label]) => label));
    for (const [position, [, score]] of expected.entries()) expect(result.scores[position]).toBeCloseTo(score, 6);
    // Spelled out for document 0: ln 2 · 2.2 / (1 + 1.2 · (0.25 + 0.75 · 3 / 3.25)) = 0.71567…
    expect(result.scores[1]).toBeCloseTo(0.71567, 4);

    const bread = index.search('BREAD', 10);
    expect([...bread.labels]).toEqual([3]);
    expect(bread.scores[0]).toBeCloseTo(Math.log(1 + 3.5 / 1.5) * (2.2 / (1 + 1.2 * (0.25 + (0.75 * 2) / 3.25))), 6);
  });

  it('uses the configured k1 and b', () => {
    const index = corpus(new Bm25Index({ k1: 2, b: 0 }));
    const result = index.search('brown', 10);
    expect([...result.labels]).toEqual([0, 3]);
    expect(result.scores[0]).toBeCloseTo(termScore(4, 2, 1, 3, 3.25, 2, 0), 6);
    expect(result.scores[1]).toBeCloseTo(termScore(4, 2, 1, 2, 3.25, 2, 0), 6);
    expect(() => new Bm25Index({ b: 1.5 })).toThrow(ValidationError);
    expect(() => new Bm25Index({ k1: -1 })).toThrow(ValidationError);
  });

  it('returns at most k documents that hold a query term, ties by label', () => {
    const index = new Bm25Index();
    index.add(9, 'same words here');
    index.add(4, 'same words here');
    index.add(6, 'other text');
    const result = index.search('words', 10);
    expect([...result.labels]).toEqual([4, 9]);
    expect(result.scores[0]).toBe(result.scores[1]);
    expect([...index.search('words', 1).labels]).toEqual([4]);
    expect(index.search('words', 0).labels).toHaveLength(0);
    expect(index.search('nothing matches', 5).labels).toHaveLength(0);
    expect(index.search('the of and', 5).labels).toHaveLength(0);
    expect(new Bm25Index().search('words', 5).labels).toHaveLength(0);
  });

  it('counts a repeated query term once', () => {
    const index = corpus();
    expect(index.search('dog dog DOG', 10)).toEqual(index.search('dog', 10));
  });

  it('gives back exactly the earlier scores after a removal', () => {
    const index = corpus();
    const before = index.search('quick brown dog', 10);
    index.add(7, 'quick quick quick fox jumps over the brown dog');
    const during = index.search('quick brown dog', 10);
    expect([...during.labels]).toContain(7);
    expect(during.scores[during.labels.indexOf(0)]).not.toBe(before.scores[before.labels.indexOf(0)]);
    index.remove(7);
    index.remove(7);
    index.remove(123);
    expect(index.search('quick brown dog', 10)).toEqual(before);
    expect(index.size).toBe(4);
  });

  it('replaces a label’s text on a second add, and forgets a text with no terms', () => {
    const index = corpus();
    const before = index.search('bread', 10);
    index.add(3, 'fresh bread bread');
    expect(index.size).toBe(4);
    expect(index.search('brown', 10).labels).toEqual(Uint32Array.from([0]));
    index.add(3, 'Brown bread');
    expect(index.search('bread', 10)).toEqual(before);
    index.add(3, 'the and of');
    expect(index.size).toBe(3);
    expect(index.has(3)).toBe(false);
  });

  it('returns only allowed labels, from a predicate or a bitmap, still k of them', () => {
    const index = corpus();
    const all = index.search('quick dog brown', 10);
    expect([...all.labels]).toEqual([1, 0, 3, 2]);
    const calls: number[] = [];
    const odd = index.search('quick dog brown', 10, (label) => {
      calls.push(label);
      return label % 2 === 1;
    });
    expect([...odd.labels]).toEqual([1, 3]);
    expect([...odd.scores]).toEqual([all.scores[0], all.scores[2]]);
    expect(new Set(calls).size).toBe(calls.length);
    const bitmap = index.search('quick dog brown', 2, toBitmap([0, 2, 3], 4));
    expect([...bitmap.labels]).toEqual([0, 3]);
    expect(index.search('quick', 10, new Uint8Array(0)).labels).toHaveLength(0);
  });

  it('round-trips through JSON', () => {
    const index = corpus(new Bm25Index({ k1: 1.5, b: 0.5 }));
    index.remove(2);
    const copy = Bm25Index.fromJSON(JSON.parse(JSON.stringify(index)));
    expect(copy.size).toBe(3);
    expect(copy.k1).toBe(1.5);
    expect(copy.b).toBe(0.5);
    for (const query of ['quick', 'brown dog', 'bread fox quick']) expect(copy.search(query, 10)).toEqual(index.search(query, 10));
    copy.add(2, 'A lazy dog sleeps all day');
    index.add(2, 'A lazy dog sleeps all day');
    expect(copy.search('dog', 10)).toEqual(index.search('dog', 10));
  });

  it('refuses malformed snapshots and arguments', () => {
    expect(() => Bm25Index.fromJSON(null)).toThrow('Bm25Index.fromJSON: expected an object');
    expect(() => Bm25Index.fromJSON({ version: 2, postings: [] })).toThrow('unsupported version 2');
    expect(() => Bm25Index.fromJSON({ version: 1, postings: [['a', [1]]] })).toThrow('postings[0] must be');
    expect(() => Bm25Index.fromJSON({ version: 1, postings: [['a', [1, 0]]] })).toThrow('invalid label or term frequency');
    expect(() => Bm25Index.fromJSON({ version: 1, postings: [['a', [1, 1, 1, 2]]] })).toThrow('lists label 1 twice');
    expect(() => Bm25Index.fromJSON({ version: 1, k1: 'x', postings: [] })).toThrow('k1 must be');
    const index = new Bm25Index();
    expect(() => index.add(-1, 'x')).toThrow(ValidationError);
    expect(() => index.add(1, 5 as never)).toThrow('text must be a string');
    expect(() => index.search('x', 1.5)).toThrow('k must be a non-negative integer');
  });
});
