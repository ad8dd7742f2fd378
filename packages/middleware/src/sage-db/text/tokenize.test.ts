import { describe, expect, it } from 'vitest';
import { tokenize } from './tokenize.js';

describe('tokenize', () => {
  it('lowercases, splits on anything but letters and digits, and drops English stop words', () => {
    expect(tokenize('The Quick-brown fox, IS jumping over 2 lazy dogs!')).toEqual(['quick', 'brown', 'fox', 'jumping', 'over', '2', 'lazy', 'dogs']);
    expect(tokenize("don't e-mail v3.14")).toEqual(['don', 't', 'e', 'mail', 'v3', '14']);
    expect(tokenize('')).toEqual([]);
    expect(tokenize('the and of')).toEqual([]);
  });

  it('handles Unicode: accents either way, full-width forms, marks inside words', () => {
    expect(tokenize('Café')).toEqual(tokenize('Cafe\u0301'));
    expect(tokenize('ＡＢＣ１２３ ﬁne')).toEqual(['abc123', 'fine']);
    expect(tokenize('ΣΟΦΊΑ Straße')).toEqual(['σοφία', 'straße']);
    expect(tokenize('हिन्दी भाषा')).toEqual(['हिन्दी', 'भाषा']);
    expect(tokenize('数据库 search')).toEqual(['数据库', 'search']);
  });

  it('takes another stop-word list', () => {
    expect(tokenize('the cat and a dog', new Set(['cat']))).toEqual(['the', 'and', 'a', 'dog']);
  });
});
