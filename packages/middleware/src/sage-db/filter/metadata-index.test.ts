import { ValidationError } from '@sage/common';
import { describe, expect, it } from 'vitest';
import { MetadataIndex } from './metadata-index.js';

describe('MetadataIndex', () => {
  it('indexes strings, numbers, booleans and list items per field', () => {
    const index = new MetadataIndex();
    index.add(0, { lang: 'en', year: 2020, tags: ['a', 'b', 'a'], draft: true });
    index.add(1, { lang: 'fr', year: 2021, tags: ['b'] });
    index.add(2, { lang: 'en', draft: false });
    const lang = index.field('lang')!;
    expect([...lang.stringEquals('en')]).toEqual([0, 2]);
    expect([...lang.stringRange('e', true, 'f', false)]).toEqual([0, 2]);
    expect([...index.field('year')!.numberRange(2020, false, undefined, false)]).toEqual([1]);
    expect([...index.field('tags')!.listContains('b')]).toEqual([0, 1]);
    expect([...index.field('tags')!.stringEquals('b')]).toEqual([]);
    expect([...index.field('draft')!.booleanEquals(false)]).toEqual([2]);
    expect([...index.field('year')!.present()]).toEqual([0, 1]);
    expect(index.field('missing')).toBeUndefined();
    expect(index.fieldNames()).toEqual(['lang', 'year', 'tags', 'draft']);
    expect(index.size).toBe(3);
  });

  it('removes a label from every structure and drops emptied fields', () => {
    const index = new MetadataIndex();
    const first = { lang: 'en', year: 2020, tags: ['a'] };
    index.add(0, first);
    index.add(1, { lang: 'en' });
    index.remove(0, first);
    index.remove(0, first);
    index.remove(7, first);
    expect(index.size).toBe(1);
    expect(index.has(0)).toBe(false);
    expect([...index.field('lang')!.stringEquals('en')]).toEqual([1]);
    expect(index.field('year')).toBeUndefined();
    expect(index.field('tags')).toBeUndefined();
    index.add(0, { lang: 'de', year: 1 });
    expect([...index.field('lang')!.stringRange(undefined, false, undefined, false)]).toEqual([0, 1]);
    expect([...index.labels()]).toEqual([0, 1]);
  });

  it('refuses a label twice and labels that are not uint32', () => {
    const index = new MetadataIndex();
    index.add(5, { a: 1 });
    expect(() => index.add(5, { a: 2 })).toThrow('label 5 is already indexed');
    expect(() => index.add(-1, {})).toThrow(ValidationError);
    expect(() => index.add(2 ** 32, {})).toThrow(ValidationError);
  });
});
