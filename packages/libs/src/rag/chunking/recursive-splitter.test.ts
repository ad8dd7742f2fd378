import { ValidationError } from '@sage/common';
import { describe, expect, it } from 'vitest';
import { RecursiveSplitter } from './recursive-splitter.js';

async function texts(splitter: RecursiveSplitter, text: string): Promise<Array<[string, number | undefined]>> {
  const chunks = await splitter.split({ id: 'doc', text });
  return chunks.map((chunk) => [chunk.text, chunk.metadata.start]);
}

describe('RecursiveSplitter', () => {
  it('gives no chunks for an empty or blank text', async () => {
    expect(await new RecursiveSplitter().split({ id: 'doc', text: '' })).toEqual([]);
    expect(await new RecursiveSplitter().split({ id: 'doc', text: ' \n\n ' })).toEqual([]);
  });

  it('gives one chunk for a short text', async () => {
    expect(await texts(new RecursiveSplitter(), 'Tea is a drink.')).toEqual([['Tea is a drink.', 0]]);
  });

  it('keeps paragraphs together while they fit', async () => {
    // Split at "\n\n", each separator kept at the start of the next piece: "Para one is here." (17),
    // "\n\nPara two is here." (19), "\n\nThird." (8). 17 + 19 = 36 fits in 40; + 8 = 44 does not.
    // Chunks are trimmed: the second starts at "Third." (offset 17 + 2 + 17 + 2 = 38).
    const splitter = new RecursiveSplitter({ chunkSize: 40, chunkOverlap: 0 });
    expect(await texts(splitter, 'Para one is here.\n\nPara two is here.\n\nThird.')).toEqual([
      ['Para one is here.\n\nPara two is here.', 0],
      ['Third.', 38],
    ]);
  });

  it('falls back to words inside a long paragraph, with overlap', async () => {
    // No newline, so the separator is " ": pieces "alpha"(5) " beta"(5) " gamma"(6) " delta"(6) " epsilon"(8)
    // " zeta"(5) " eta"(4) " theta"(6) " iota"(5) " kappa"(6); size 20, overlap 6.
    // alpha+beta+gamma = 16, + delta = 22 > 20: emit; drop from the front while more than 6 remain: " gamma".
    // gamma+delta+epsilon = 20, + zeta > 20: emit; keeping " epsilon" (8) would exceed 6, so nothing is kept.
    // zeta+eta+theta+iota = 20, + kappa > 20: emit; keep " iota" (5). Last chunk: iota+kappa.
    const splitter = new RecursiveSplitter({ chunkSize: 20, chunkOverlap: 6 });
    const text = 'alpha beta gamma delta epsilon zeta eta theta iota kappa';
    expect(await texts(splitter, text)).toEqual([
      ['alpha beta gamma', 0],
      ['gamma delta epsilon', 11],
      ['zeta eta theta iota', 31],
      ['iota kappa', 46],
    ]);
  });

  it('uses the given separators, then single characters for a piece that has none', async () => {
    // Pieces "a" "|b" "|c" "|dddddd" (each separator stays with the piece after it): a|b|c is 5, fits.
    // "|dddddd" (7) is not under chunkSize; LangChain then splits it into characters: "|dddd" and "dd".
    const splitter = new RecursiveSplitter({ chunkSize: 5, chunkOverlap: 0, separators: ['|'] });
    expect(await texts(splitter, 'a|b|c|dddddd')).toEqual([
      ['a|b|c', 0],
      ['|dddd', 5],
      ['dd', 10],
    ]);
  });

  it('checks its options', () => {
    expect(() => new RecursiveSplitter({ chunkSize: 100, chunkOverlap: 150 })).toThrow(ValidationError);
    expect(() => new RecursiveSplitter({ chunkSize: 100, chunkOverlap: 150 })).toThrow(
      'RecursiveSplitter: option "chunkOverlap": must be smaller than chunkSize (150 >= 100)',
    );
    expect(() => new RecursiveSplitter({ chunkOverlap: -1 })).toThrow('RecursiveSplitter: option "chunkOverlap": ');
    expect(() => new RecursiveSplitter({ separators: [] })).toThrow('RecursiveSplitter: option "separators": ');
  });
});
