import { describe, expect, it } from 'vitest';
import { TopK } from './top-k.js';

describe('TopK', () => {
  it('keeps the k best, higher score first, smaller label on ties', () => {
    const top = new TopK(3);
    for (const [label, score] of [
      [4, 1],
      [9, 5],
      [2, 5],
      [7, 3],
      [1, 0],
      [3, 5],
    ]) {
      top.push(label!, score!);
    }
    const { labels, scores } = top.drain();
    expect([...labels]).toEqual([2, 3, 9]);
    expect([...scores]).toEqual([5, 5, 5]);
    expect(top.size).toBe(0);
  });

  it('agrees with a full sort on random input with many ties', () => {
    let seed = 3;
    const random = () => {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      return seed / 4294967296;
    };
    for (const k of [0, 1, 2, 7, 100, 1000]) {
      const entries = Array.from({ length: 500 }, (_, label) => ({ label, score: Math.floor(random() * 20) - 10 }));
      const top = new TopK(k);
      for (const entry of [...entries].sort(() => random() - 0.5)) top.push(entry.label, entry.score);
      const expected = [...entries].sort((a, b) => b.score - a.score || a.label - b.label).slice(0, k);
      const { labels, scores } = top.drain();
      expect([...labels]).toEqual(expected.map((entry) => entry.label));
      expect([...scores]).toEqual(expected.map((entry) => entry.score));
    }
  });

  it('refuses a bad capacity', () => {
    expect(() => new TopK(-1)).toThrow(RangeError);
    expect(() => new TopK(1.5)).toThrow(RangeError);
  });
});
