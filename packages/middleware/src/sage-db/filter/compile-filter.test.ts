import { ValidationError } from '@sage/common';
import { describe, expect, it } from 'vitest';
import type { Metadata } from '../types.js';
import { compileFilter } from './compile-filter.js';
import { MetadataIndex } from './metadata-index.js';

function errorOf(filter: unknown): ValidationError {
  try {
    compileFilter(filter);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return error as ValidationError;
  }
  throw new Error(`expected ${JSON.stringify(filter)} to be refused`);
}

describe('compileFilter validation', () => {
  it.each([
    [{ $or: [{ lang: 'en' }, { year: { $gt: 1990, $gte: '2020' } }] }, 'filter.$or[1].year.$gte: expected a number, got "2020"'],
    [{ tag: { $in: [] } }, 'filter.tag.$in: expected a non-empty array, got []'],
    [{ tag: { $in: 'a' } }, 'filter.tag.$in: expected a non-empty array, got "a"'],
    [{ tag: { $nin: ['a', null] } }, 'filter.tag.$nin[1]: expected a string, a finite number or a boolean, got null'],
    [{ $foo: 1 }, 'filter.$foo: unknown operator "$foo" (known: $and, $or, $not)'],
    [{ year: { $gtt: 3 } }, 'filter.year: unknown operator "$gtt" (did you mean "$gt"?)'],
    [{ year: { $GTE: 3 } }, 'filter.year: unknown operator "$GTE" (did you mean "$gte"?)'],
    [{ year: { $between: [1, 2] } }, 'filter.year: unknown operator "$between" (known: $eq, $ne, $gt, $gte, $lt, $lte, $in, $nin, $contains, $exists)'],
    [{ year: { gte: 3 } }, 'filter.year: unknown operator "gte" (operators start with "$"; did you mean "$gte"?)'],
    [{ $nor: [{ a: 1 }] }, 'filter.$nor: unknown operator "$nor" (did you mean "$or"?)'],
    [{ $and: [] }, 'filter.$and: expected a non-empty array of filters, got []'],
    [{ $or: { a: 1 } }, 'filter.$or: expected a non-empty array of filters, got {"a":1}'],
    [{ $and: [{ a: 1 }, 'b'] }, 'filter.$and[1]: expected a filter object, got "b"'],
    [{ $not: [{ a: 1 }] }, 'filter.$not: expected a filter object, got [{"a":1}]'],
    [{ $not: { $or: [{ a: { $exists: 'yes' } }] } }, 'filter.$not.$or[0].a.$exists: expected a boolean, got "yes"'],
    [{ year: Number.NaN }, 'filter.year: expected a finite number, got NaN'],
    [{ year: { $lt: Number.POSITIVE_INFINITY } }, 'filter.year.$lt: expected a number or a string, got Infinity'],
    [{ year: { $gt: true } }, 'filter.year.$gt: expected a number or a string, got true'],
    [{ tag: { $contains: 1 } }, 'filter.tag.$contains: expected a string (one list item), got 1'],
    [{ year: {} }, 'filter.year: expected at least one operator'],
    [{ 'release year': { $eq: [1] } }, 'filter["release year"].$eq: expected a string, a finite number or a boolean, got [1]; use $in for several values'],
    [null, 'filter: expected a filter object, got null'],
    [[{ a: 1 }], 'filter: expected a filter object, got [{"a":1}]'],
  ])('%j is refused with the path named', (filter, message) => {
    expect(errorOf(filter).message).toContain(message);
  });

  it('explains the common mistakes', () => {
    expect(errorOf({ tag: ['a', 'b'] }).message).toBe(
      'filter.tag: expected a value (string, finite number or boolean) or an object of operators, got ["a","b"]; use { "$in": [...] } to match any of several values',
    );
    expect(errorOf({ tag: null }).message).toContain('use { "$exists": false }');
    expect(errorOf({ tag: undefined }).message).toContain('filter.tag: expected');
    expect(errorOf({ $gt: 3 }).message).toContain('field operators go inside a field');
    expect(errorOf({ year: { $or: [] } }).message).toContain('filter.year: unknown operator "$or" (logical operators go at the filter level');
    expect(errorOf({ when: new Date(0) }).message).toBe(
      'filter.when: expected a value (string, finite number or boolean) or an object of operators, got a Date (1970-01-01T00:00:00.000Z)',
    );
    expect(errorOf(new Map()).message).toBe('filter: expected a filter object, got a Map');
  });

  it('puts the path in the error details and refuses very deep nesting', () => {
    expect(errorOf({ $and: [{ a: { $in: [] } }] }).details).toMatchObject({ path: 'filter.$and[0].a.$in' });
    let deep: unknown = { a: 1 };
    for (let i = 0; i < 40; i++) deep = { $not: deep };
    expect(errorOf(deep).message).toMatch(/nested deeper than 32 levels/);
  });

  it('lists the fields read, each once, in order of first appearance', () => {
    const compiled = compileFilter({ year: { $gte: 2020 }, $or: [{ lang: 'en' }, { tag: 'a', year: 1 }], $not: { draft: true } });
    expect(compiled.fields).toEqual(['year', 'lang', 'tag', 'draft']);
    expect(compileFilter({}).fields).toEqual([]);
  });
});

const records: Record<string, Metadata> = {
  paper: { year: 2021, lang: 'en', tags: ['ml', 'nlp'], draft: false, title: 'Attention' },
  old: { year: 1999, lang: 'fr', tags: [], draft: true },
  bare: {},
  stringYear: { year: '2021', lang: 'en' },
  listLang: { lang: ['en', 'de'] as string[] },
};

function matching(filter: unknown): string[] {
  const compiled = compileFilter(filter);
  return Object.keys(records).filter((name) => compiled.matches(records[name]!));
}

describe('compileFilter semantics', () => {
  it.each<[unknown, string[]]>([
    [{}, ['paper', 'old', 'bare', 'stringYear', 'listLang']],
    [{ year: 2021 }, ['paper']],
    [{ year: '2021' }, ['stringYear']],
    [{ year: { $ne: 2021 } }, ['old', 'bare', 'stringYear', 'listLang']],
    [{ year: { $gte: 2000 } }, ['paper']],
    [{ year: { $lt: 2000 } }, ['old']],
    [{ year: { $gt: 1999, $lte: 2021 } }, ['paper']],
    [{ year: { $gt: '2000' } }, ['stringYear']],
    [{ title: { $gte: 'A', $lt: 'B' } }, ['paper']],
    [{ lang: 'en' }, ['paper', 'stringYear', 'listLang']],
    [{ lang: { $ne: 'en' } }, ['old', 'bare']],
    [{ lang: { $in: ['de', 'fr'] } }, ['old', 'listLang']],
    [{ lang: { $nin: ['de', 'fr'] } }, ['paper', 'bare', 'stringYear']],
    [{ tags: 'nlp' }, ['paper']],
    [{ tags: { $contains: 'ml' } }, ['paper']],
    [{ lang: { $contains: 'en' } }, ['listLang']],
    [{ tags: { $in: ['x', 'nlp'] } }, ['paper']],
    [{ tags: { $nin: ['ml'] } }, ['old', 'bare', 'stringYear', 'listLang']],
    [{ tags: { $exists: true } }, ['paper', 'old']],
    [{ year: { $exists: false } }, ['bare', 'listLang']],
    [{ draft: false }, ['paper']],
    [{ draft: { $in: [true, 'x'] } }, ['old']],
    [{ draft: { $ne: 0 } }, ['paper', 'old', 'bare', 'stringYear', 'listLang']],
    [{ $or: [{ year: { $lt: 2000 } }, { lang: 'de' }] }, ['old', 'listLang']],
    [{ $and: [{ lang: 'en' }, { year: { $exists: true } }] }, ['paper', 'stringYear']],
    [{ $not: { lang: 'en' } }, ['old', 'bare']],
    [{ lang: 'en', $not: { year: 2021 } }, ['stringYear', 'listLang']],
    [{ $or: [{ $not: { year: { $exists: true } } }, { draft: true }] }, ['old', 'bare', 'listLang']],
  ])('%j matches %j', (filter, expected) => {
    expect(matching(filter)).toEqual(expected);
  });

  it('a missing field fails every operator except $ne, $nin and $exists: false', () => {
    const passing = [{ $ne: 1 }, { $nin: [1] }, { $exists: false }];
    const failing = [1, 'a', true, { $eq: 1 }, { $gt: 0 }, { $gte: 'a' }, { $lt: 5 }, { $lte: 'z' }, { $in: [1, 'a'] }, { $contains: 'a' }, { $exists: true }];
    for (const condition of passing) expect(compileFilter({ missing: condition }).matches({})).toBe(true);
    for (const condition of failing) expect(compileFilter({ missing: condition }).matches({})).toBe(false);
  });

  it('does not read fields from Object.prototype', () => {
    expect(compileFilter({ constructor: { $exists: true } }).matches({})).toBe(false);
    expect(compileFilter({ toString: { $exists: false } }).matches({ a: 1 })).toBe(true);
    expect(compileFilter({ constructor: 'x' }).matches({ constructor: 'x' })).toBe(true);
    const parsed = JSON.parse('{"__proto__": "p"}') as Metadata;
    expect(compileFilter(JSON.parse('{"__proto__": "p"}')).matches(parsed)).toBe(true);
    expect(compileFilter(JSON.parse('{"__proto__": { "$exists": true }}')).matches({})).toBe(false);
  });

  it('matches can be passed around detached', () => {
    const { matches } = compileFilter({ year: 2021 });
    expect(Object.values(records).filter(matches)).toHaveLength(1);
  });

  it('evaluates on an index to the same labels as matches', () => {
    const index = new MetadataIndex();
    const names = Object.keys(records);
    for (const [label, name] of names.entries()) index.add(label, records[name]!);
    const filter = { $or: [{ lang: 'en' }, { tags: { $contains: 'ml' } }], year: { $ne: 2021 } };
    expect([...compileFilter(filter).evaluate(index)].map((label) => names[label])).toEqual(matching(filter));
    expect([...compileFilter(filter).evaluate(index, new Uint32Array([0, 2, 3]))]).toEqual([3]);
    expect(() => compileFilter({}).evaluate(index, new Uint32Array([2, 1]))).toThrow(ValidationError);
  });
});
