import { describe, expect, it } from 'vitest';
import { LabelSet } from './label-set.js';

describe('LabelSet', () => {
  it('appends ascending labels, inserts others in place and ignores repeats', () => {
    const set = new LabelSet();
    for (const label of [1, 4, 9, 4, 0, 6, 9]) set.add(label);
    expect([...set.sorted()]).toEqual([0, 1, 4, 6, 9]);
    expect(set.size).toBe(5);
    expect(set.has(6)).toBe(true);
    expect(set.has(5)).toBe(false);
  });

  it('applies removals lazily and lets a removed label come back', () => {
    const set = new LabelSet();
    for (let label = 0; label < 10; label++) set.add(label);
    set.remove(3);
    set.remove(9);
    set.remove(3);
    set.remove(42);
    expect(set.size).toBe(8);
    expect(set.has(3)).toBe(false);
    set.add(3);
    set.remove(5);
    expect(set.size).toBe(8);
    expect([...set.sorted()]).toEqual([0, 1, 2, 3, 4, 6, 7, 8]);
    set.remove(0);
    set.add(11);
    expect([...set.sorted()]).toEqual([1, 2, 3, 4, 6, 7, 8, 11]);
  });

  it('agrees with a Set under random changes', () => {
    let seed = 99;
    const random = () => {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      return seed / 4294967296;
    };
    const set = new LabelSet();
    const reference = new Set<number>();
    for (let step = 0; step < 5000; step++) {
      const label = Math.floor(random() * 300);
      if (random() < 0.6) {
        set.add(label);
        reference.add(label);
      } else {
        set.remove(label);
        reference.delete(label);
      }
      expect(set.size).toBe(reference.size);
      if (step % 250 === 0) expect([...set.sorted()]).toEqual([...reference].sort((a, b) => a - b));
    }
  });
});
