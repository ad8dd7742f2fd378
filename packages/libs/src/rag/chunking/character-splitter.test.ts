import { ValidationError } from '@sage/common';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CharacterSplitter } from './character-splitter.js';

afterEach(() => {
  vi.restoreAllMocks();
});

async function texts(splitter: CharacterSplitter, text: string): Promise<Array<[string, number | undefined]>> {
  const chunks = await splitter.split({ id: 'doc', text });
  return chunks.map((chunk) => [chunk.text, chunk.metadata.start]);
}

describe('CharacterSplitter', () => {
  it('gives no chunks for an empty text', async () => {
    expect(await new CharacterSplitter().split({ id: 'doc', text: '' })).toEqual([]);
  });

  it('packs paragraphs up to chunkSize characters', async () => {
    // Pieces "aaaa" "bbbb" "cccc" (4 each), joined by "\n\n" (2): 4 + 2 + 4 = 10 fits in 10, adding
    // "cccc" would make 16, so the second chunk starts with it (overlap 0 keeps nothing). Offsets: 0, 12.
    const splitter = new CharacterSplitter({ chunkSize: 10, chunkOverlap: 0 });
    expect(await texts(splitter, 'aaaa\n\nbbbb\n\ncccc')).toEqual([
      ['aaaa\n\nbbbb', 0],
      ['cccc', 12],
    ]);
  });

  it('repeats up to chunkOverlap characters of the previous chunk', async () => {
    // Words one(3) two(3) three(5) four(4) five(4), separator " ", size 9, overlap 4:
    // "one two" (7); + three = 13 > 9: emit, drop words from the front until at most 4 chars remain: "two".
    // "two three" (9); + four = 14 > 9: emit, keep at most 4: "three" is 5, so nothing is kept.
    // "four five" (9). Offsets in "one two three four five": 0, 4, 14.
    const splitter = new CharacterSplitter({ chunkSize: 9, chunkOverlap: 4, separator: ' ' });
    expect(await texts(splitter, 'one two three four five')).toEqual([
      ['one two', 0],
      ['two three', 4],
      ['four five', 14],
    ]);
  });

  it('keeps a piece longer than chunkSize whole (LangChain warns on the console)', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const long = 'x'.repeat(30);
    expect(await texts(new CharacterSplitter({ chunkSize: 10, chunkOverlap: 0 }), `${long}\n\nend`)).toEqual([
      [long, 0],
      ['end', 32],
    ]);
    expect(warn).toHaveBeenCalled();
  });

  it('defaults chunkOverlap to a fifth of chunkSize, so a small chunkSize alone is valid', () => {
    expect(() => new CharacterSplitter({ chunkSize: 100 })).not.toThrow();
  });

  it('checks its options', () => {
    expect(() => new CharacterSplitter({ chunkSize: 10, chunkOverlap: 10 })).toThrow(ValidationError);
    expect(() => new CharacterSplitter({ chunkSize: 10, chunkOverlap: 10 })).toThrow(
      'CharacterSplitter: option "chunkOverlap": must be smaller than chunkSize (10 >= 10)',
    );
    expect(() => new CharacterSplitter({ chunkSize: 0 })).toThrow('CharacterSplitter: option "chunkSize": ');
    expect(() => new CharacterSplitter({ chunkSize: 2.5 })).toThrow('CharacterSplitter: option "chunkSize": ');
    expect(() => new CharacterSplitter({ separator: '' })).toThrow('CharacterSplitter: option "separator": ');
    expect(() => new CharacterSplitter({ size: 10 } as never)).toThrow('CharacterSplitter: config: Unrecognized key: "size"');
  });
});
