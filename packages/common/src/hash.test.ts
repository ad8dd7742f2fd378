import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { canonicalKey, partitionForKey, stableHash } from './hash.js';

// Computed once with this implementation. A change here re-partitions every keyed stream: treat it as breaking.
const KNOWN_HASHES: ReadonlyArray<[unknown, number]> = [
  ['user-1', 2783384822],
  ['a', 1653849569],
  ['', 3928860062],
  [0, 1195917645],
  [1, 98436590],
  ['1', 2654494492],
  [false, 3427801397],
  [true, 62466256],
  [null, 666988788],
  [{ b: 2, a: 1 }, 2534847408],
  [[1, 'x'], 2447054864],
];

const DIST_INDEX = fileURLToPath(new URL('../dist/index.js', import.meta.url));

describe('stableHash', () => {
  it('gives the known value for each key', () => {
    for (const [key, hash] of KNOWN_HASHES) expect(stableHash(key), JSON.stringify(key)).toBe(hash);
  });

  it('gives the same values in a separate process running the built package', () => {
    // The dist is produced by `pnpm --filter @sage/common build` (turbo builds it before dependents typecheck).
    expect(existsSync(DIST_INDEX), `${DIST_INDEX} is missing: run pnpm --filter @sage/common build`).toBe(true);
    const keys = KNOWN_HASHES.map(([key]) => key);
    const script = `
      const { stableHash } = await import(${JSON.stringify(new URL('../dist/index.js', import.meta.url).href)});
      const keys = ${JSON.stringify(keys)};
      process.stdout.write(JSON.stringify(keys.map((key) => stableHash(key))));
    `;
    const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(JSON.parse(output)).toEqual(KNOWN_HASHES.map(([, hash]) => hash));
  });

  it('treats 0, empty string and false as distinct, ordinary keys', () => {
    const hashes = [stableHash(0), stableHash(''), stableHash(false)];
    expect(new Set(hashes).size).toBe(3);
    expect(new Set([canonicalKey(0), canonicalKey(''), canonicalKey(false)]).size).toBe(3);
  });

  it('distinguishes the number 1 from the string "1"', () => {
    expect(stableHash(1)).not.toBe(stableHash('1'));
  });

  it('ignores object key order', () => {
    expect(stableHash({ a: 1, b: { c: 2, d: 3 } })).toBe(stableHash({ b: { d: 3, c: 2 }, a: 1 }));
    expect(canonicalKey({ a: 1, b: 2 })).toBe(canonicalKey({ b: 2, a: 1 }));
  });

  it('returns an unsigned 32-bit integer', () => {
    for (const [key] of KNOWN_HASHES) {
      const hash = stableHash(key);
      expect(Number.isInteger(hash) && hash >= 0 && hash <= 0xffffffff).toBe(true);
    }
  });
});

describe('partitionForKey', () => {
  it('stays within 0..partitions-1', () => {
    for (const partitions of [1, 2, 3, 7, 16]) {
      for (let i = 0; i < 1000; i++) {
        const partition = partitionForKey(`key-${i}`, partitions);
        expect(partition >= 0 && partition < partitions && Number.isInteger(partition)).toBe(true);
      }
    }
  });

  it.each([
    ['string keys', (i: number): unknown => `key-${i}`],
    ['numeric keys', (i: number): unknown => i],
  ])('spreads 10k %s roughly uniformly over 4 partitions', (_kind, keyFor) => {
    const total = 10_000;
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < total; i++) counts[partitionForKey(keyFor(i), 4)]++;
    for (const count of counts) {
      expect(count / total).toBeGreaterThanOrEqual(0.2);
      expect(count / total).toBeLessThanOrEqual(0.3);
    }
  });

  it('puts everything in partition 0 when there is one partition', () => {
    expect(partitionForKey('anything', 1)).toBe(0);
    expect(partitionForKey('anything', 0)).toBe(0);
  });
});
