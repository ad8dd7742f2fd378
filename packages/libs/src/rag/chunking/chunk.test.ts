import { hashString } from '@sage/common';
import { describe, expect, it } from 'vitest';
import { chunkId, locatePieces, toChunks } from './chunk.js';

describe('chunkId', () => {
  it('is the source id, the chunk index and the hex hash of the text', () => {
    const text = 'Tea is a drink.';
    expect(chunkId('guide.md', 0, text)).toBe(`guide.md#0-${hashString(text).toString(16).padStart(8, '0')}`);
    // Pinned: the hash has no per-process salt, so this id is the same on every run and machine.
    expect(chunkId('guide.md', 0, text)).toBe('guide.md#0-c9bc402d');
  });

  it('changes with the index and with the text', () => {
    const ids = new Set([chunkId('a', 0, 'x'), chunkId('a', 1, 'x'), chunkId('a', 0, 'y'), chunkId('b', 0, 'x')]);
    expect(ids.size).toBe(4);
  });
});

describe('locatePieces', () => {
  it('searches each chunk after the previous start, and leaves out chunks that are not verbatim', () => {
    // "ab ab ab" with overlaps of up to 2 characters: "ab ab" is at 0; the next is searched from
    // max(0 + 1, 0 + 5 - 2) = 3 and found at 3; "ab\nab" is not in the text.
    expect(locatePieces('ab ab ab', ['ab ab', 'ab ab', 'ab\nab'], 2)).toEqual([
      { text: 'ab ab', start: 0 },
      { text: 'ab ab', start: 3 },
      { text: 'ab\nab' },
    ]);
  });

  it('uses the overlap bound to skip earlier copies of a repeated passage', () => {
    // "dddddddd" cut into "dddd" and "dddd" without overlap: the second is searched from 0 + 4 - 0 = 4.
    expect(locatePieces('dddddddd', ['dddd', 'dddd'], 0)).toEqual([
      { text: 'dddd', start: 0 },
      { text: 'dddd', start: 4 },
    ]);
  });
});

describe('toChunks', () => {
  it('keeps the document metadata and adds sourceId, chunkIndex and start', () => {
    const chunks = toChunks({ id: 'd', text: 'x y', metadata: { lang: 'en', sourceId: 'overwritten' } }, [
      { text: 'x', start: 0 },
      { text: 'y' },
    ]);
    expect(chunks).toEqual([
      { id: chunkId('d', 0, 'x'), text: 'x', metadata: { lang: 'en', sourceId: 'd', chunkIndex: 0, start: 0 } },
      { id: chunkId('d', 1, 'y'), text: 'y', metadata: { lang: 'en', sourceId: 'd', chunkIndex: 1 } },
    ]);
  });
});
