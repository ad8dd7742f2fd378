import { seededRandom } from '@sage/common';
import { describe, expect, it } from 'vitest';
import type { Metadata } from '../types.js';
import { compileFilter } from './compile-filter.js';
import { MetadataIndex } from './metadata-index.js';

type Random = ReturnType<typeof seededRandom>;
const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
const chance = (random: Random, p: number): boolean => random() < p;

const NUMBERS = [0, -0, 1, 2, 2.5, 10, 1999, 2020, 2021, -3];
/** Records may hold numbers a filter cannot name (infinities, NaN); the index must still agree. */
const RECORD_NUMBERS = [...NUMBERS, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NaN];
const STRINGS = ['', 'a', 'b', 'c', 'en', 'fr', 'En', '2020', 'zz', 'é'];
const CONSTRUCTOR: string = 'constructor';
const FIELDS = ['year', 'lang', 'tags', 'flag', 'score', 'mixed', 'weird', 'constructor'];

function randomScalar(random: Random): string | number | boolean {
  const kind = random();
  if (kind < 0.45) return pick(random, NUMBERS);
  if (kind < 0.9) return pick(random, STRINGS);
  return chance(random, 0.5);
}

function randomMetadata(random: Random): Metadata {
  const metadata: Record<string, unknown> = {};
  if (chance(random, 0.8)) metadata.year = chance(random, 0.9) ? 1990 + Math.floor(random() * 40) : pick(random, STRINGS);
  if (chance(random, 0.8)) metadata.lang = pick(random, STRINGS);
  if (chance(random, 0.7)) metadata.tags = Array.from({ length: Math.floor(random() * 4) }, () => pick(random, STRINGS));
  if (chance(random, 0.6)) metadata.flag = chance(random, 0.5);
  if (chance(random, 0.6)) metadata.score = pick(random, RECORD_NUMBERS);
  if (chance(random, 0.6)) metadata.mixed = chance(random, 0.3) ? [pick(random, STRINGS)] : randomScalar(random);
  // Values outside MetadataValue must still be treated alike by both paths (present, never equal).
  if (chance(random, 0.3)) metadata.weird = pick(random, [null, { a: 1 }, [1, 'a'], [true], undefined]);
  // An own field named like an Object.prototype member.
  if (chance(random, 0.2)) metadata[CONSTRUCTOR] = pick(random, STRINGS);
  return metadata as Metadata;
}

function randomCondition(random: Random): Record<string, unknown> | string | number | boolean {
  const operator = pick(random, ['bare', '$eq', '$ne', '$gt', '$gte', '$lt', '$lte', '$in', '$nin', '$contains', '$exists', 'range']);
  switch (operator) {
    case 'bare':
      return randomScalar(random);
    case '$in':
    case '$nin':
      return { [operator]: Array.from({ length: 1 + Math.floor(random() * 3) }, () => randomScalar(random)) };
    case '$contains':
      return { $contains: pick(random, STRINGS) };
    case '$exists':
      return { $exists: chance(random, 0.5) };
    case '$gt':
    case '$gte':
    case '$lt':
    case '$lte':
      return { [operator]: chance(random, 0.6) ? pick(random, NUMBERS) : pick(random, STRINGS) };
    case 'range': {
      const numeric = chance(random, 0.6);
      const bound = () => (numeric ? pick(random, NUMBERS) : pick(random, STRINGS));
      return { [pick(random, ['$gt', '$gte'])]: bound(), [pick(random, ['$lt', '$lte'])]: bound(), ...(chance(random, 0.3) ? { $ne: randomScalar(random) } : {}) };
    }
    default:
      return { [operator]: randomScalar(random) };
  }
}

function randomFilter(random: Random, depth: number): Record<string, unknown> {
  const filter: Record<string, unknown> = {};
  const parts = Math.floor(random() * 3) + (depth === 0 ? 1 : 0);
  for (let i = 0; i < parts; i++) {
    const kind = depth >= 3 ? 0 : random();
    if (kind < 0.6) filter[pick(random, FIELDS)] = randomCondition(random);
    else if (kind < 0.75) filter.$and = Array.from({ length: 1 + Math.floor(random() * 3) }, () => randomFilter(random, depth + 1));
    else if (kind < 0.9) filter.$or = Array.from({ length: 1 + Math.floor(random() * 3) }, () => randomFilter(random, depth + 1));
    else filter.$not = randomFilter(random, depth + 1);
  }
  return filter;
}

describe('CompiledFilter.evaluate', () => {
  it.each([1, 2, 3, 4, 5])('selects exactly what a scan with matches selects (seed %i)', (seed) => {
    const random = seededRandom(seed);
    const index = new MetadataIndex();
    const live = new Map<number, Metadata>();
    let nextLabel = 0;
    for (let step = 0; step < 600; step++) {
      const action = random();
      if (action < 0.7 || live.size === 0) {
        const metadata = randomMetadata(random);
        index.add(nextLabel, metadata);
        live.set(nextLabel++, metadata);
      } else {
        const label = pick(random, [...live.keys()]);
        index.remove(label, live.get(label)!);
        live.delete(label);
        if (action < 0.85) {
          // New metadata under the same label, as an update in place does.
          const metadata = randomMetadata(random);
          index.add(label, metadata);
          live.set(label, metadata);
        }
      }
    }
    const liveLabels = Uint32Array.from([...live.keys()]).sort();
    expect(index.size).toBe(live.size);
    expect([...index.labels()]).toEqual([...liveLabels]);
    let nonTrivial = 0;
    for (let trial = 0; trial < 600; trial++) {
      const filter = randomFilter(random, 0);
      const compiled = compileFilter(filter);
      const universe = chance(random, 0.3) ? liveLabels.filter(() => chance(random, 0.5)) : liveLabels;
      const expected = [...universe].filter((label) => compiled.matches(live.get(label)!));
      const actual = chance(random, 0.5) && universe === liveLabels ? compiled.evaluate(index) : compiled.evaluate(index, universe);
      expect([...actual], JSON.stringify(filter)).toEqual(expected);
      if (expected.length > 0 && expected.length < universe.length) nonTrivial++;
    }
    // The generator must produce filters that split the records, or the comparison proves little.
    expect(nonTrivial).toBeGreaterThan(120);
  });

  it('returns a fresh array the caller may modify', () => {
    const index = new MetadataIndex();
    index.add(0, { lang: 'en' });
    index.add(1, { lang: 'fr' });
    const everything = compileFilter({}).evaluate(index);
    everything[0] = 99;
    expect([...compileFilter({}).evaluate(index)]).toEqual([0, 1]);
    const english = compileFilter({ lang: 'en' }).evaluate(index);
    english[0] = 99;
    expect([...compileFilter({ lang: 'en' }).evaluate(index)]).toEqual([0]);
    const universe = new Uint32Array([0, 1]);
    expect(compileFilter({ lang: { $ne: 'de' } }).evaluate(index, universe)).not.toBe(universe);
  });

  it('answers a large collection with set operations', () => {
    const index = new MetadataIndex();
    const count = 200_000;
    for (let label = 0; label < count; label++) {
      index.add(label, { year: 1900 + (label % 125), lang: label % 3 === 0 ? 'en' : 'fr', tags: label % 10 === 0 ? ['hot'] : [] });
    }
    const compiled = compileFilter({ year: { $gte: 2000, $lt: 2010 }, lang: 'en', $not: { tags: 'hot' } });
    const started = performance.now();
    const labels = compiled.evaluate(index);
    const elapsed = performance.now() - started;
    let expected = 0;
    for (let label = 0; label < count; label++) {
      const year = 1900 + (label % 125);
      if (year >= 2000 && year < 2010 && label % 3 === 0 && label % 10 !== 0) expected++;
    }
    expect(labels.length).toBe(expected);
    expect(elapsed).toBeLessThan(1000);
  });
});
