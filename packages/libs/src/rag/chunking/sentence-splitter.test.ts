import { ValidationError } from '@sage/common';
import { describe, expect, it } from 'vitest';
import { SentenceSplitter, splitSentences } from './sentence-splitter.js';

function sentences(text: string): string[] {
  return splitSentences(text).map((span) => text.slice(span.start, span.end));
}

describe('splitSentences', () => {
  it('finds nothing in an empty or blank text', () => {
    expect(splitSentences('')).toEqual([]);
    expect(splitSentences('  \n\n ')).toEqual([]);
  });

  it('ends sentences at . ! ? followed by whitespace, and returns offsets without the whitespace', () => {
    const text = ' Was it good?  Yes! It was. ';
    expect(splitSentences(text)).toEqual([
      { start: 1, end: 13 },
      { start: 15, end: 19 },
      { start: 20, end: 27 },
    ]);
    expect(sentences(text)).toEqual(['Was it good?', 'Yes!', 'It was.']);
  });

  it('does not split after abbreviations, initials, dotted letters or inside decimals', () => {
    expect(sentences('Mr. Smith paid $3.50 for tea, e.g. Earl Grey. J. R. R. Tolkien drank it (cf. Fig. 2) too.')).toEqual([
      'Mr. Smith paid $3.50 for tea, e.g. Earl Grey.',
      'J. R. R. Tolkien drank it (cf. Fig. 2) too.',
    ]);
    expect(sentences('See example.com for version 2.1.3 of it. Done.')).toEqual(['See example.com for version 2.1.3 of it.', 'Done.']);
  });

  it('does not split before a lowercase word', () => {
    expect(sentences('Wait... what? It costs approx. five pounds etc. and more. Then stop.')).toEqual([
      'Wait... what?',
      'It costs approx. five pounds etc. and more.',
      'Then stop.',
    ]);
  });

  it('keeps closing quotes and brackets with their sentence', () => {
    expect(sentences('He said "Stop." Then he left. (It was late.) The end')).toEqual([
      'He said "Stop."',
      'Then he left.',
      '(It was late.)',
      'The end',
    ]);
  });

  it('ends a sentence at a blank line, not at a single newline', () => {
    expect(sentences('# Heading\n\nA line\nwrapped here. Next.\n  \nLast')).toEqual([
      '# Heading',
      'A line\nwrapped here.',
      'Next.',
      'Last',
    ]);
  });
});

describe('SentenceSplitter', () => {
  // Sentences of TEXT: "One two." [0, 8), "Three four five." [9, 25), "Six seven eight nine." [26, 47),
  // "Ten." [48, 52). A chunk spans from its first sentence's start to its last sentence's end.
  const TEXT = 'One two. Three four five. Six seven eight nine. Ten.';

  async function texts(splitter: SentenceSplitter, text = TEXT): Promise<Array<[string, number | undefined]>> {
    const chunks = await splitter.split({ id: 'doc', text });
    return chunks.map((chunk) => [chunk.text, chunk.metadata.start]);
  }

  it('gives no chunks for an empty text', async () => {
    expect(await new SentenceSplitter().split({ id: 'doc', text: '' })).toEqual([]);
  });

  it('packs whole sentences up to chunkSize, repeating the last sentence of each chunk', async () => {
    // size 40, overlap 1: [0, 25) is 25; adding "Six…" gives 47 > 40: emit "One two. Three four five.".
    // Keep "Three four five." (47 - 9 = 38 fits): [9, 47); adding "Ten." gives 52 - 9 = 43 > 40: emit.
    // Keep "Six seven eight nine." (52 - 26 = 26 fits): [26, 52) is the last chunk.
    expect(await texts(new SentenceSplitter({ chunkSize: 40, overlapSentences: 1 }))).toEqual([
      ['One two. Three four five.', 0],
      ['Three four five. Six seven eight nine.', 9],
      ['Six seven eight nine. Ten.', 26],
    ]);
  });

  it('makes disjoint chunks with overlapSentences 0', async () => {
    // [0, 25), then "Six…" starts a new chunk and "Ten." fits with it: 52 - 26 = 26.
    expect(await texts(new SentenceSplitter({ chunkSize: 40, overlapSentences: 0 }))).toEqual([
      ['One two. Three four five.', 0],
      ['Six seven eight nine. Ten.', 26],
    ]);
  });

  it('drops overlap sentences that would not fit with the next sentence', async () => {
    // size 25, overlap 2: [0, 25) fits exactly. With "Six…" (ends at 47), keeping "One two." (47 - 0) or
    // "Three four five." (47 - 9 = 38) exceeds 25, so nothing is kept. "Six…" + "Ten." = 52 - 26 = 26 > 25.
    expect(await texts(new SentenceSplitter({ chunkSize: 25, overlapSentences: 2 }))).toEqual([
      ['One two. Three four five.', 0],
      ['Six seven eight nine.', 26],
      ['Ten.', 48],
    ]);
  });

  it('keeps a sentence longer than chunkSize whole, in a chunk of its own', async () => {
    const text = 'Short. This sentence is longer than ten. End.';
    expect(await texts(new SentenceSplitter({ chunkSize: 10 }), text)).toEqual([
      ['Short.', 0],
      ['This sentence is longer than ten.', 7],
      ['End.', 41],
    ]);
  });

  it('checks its options', () => {
    expect(() => new SentenceSplitter({ overlapSentences: -1 })).toThrow(ValidationError);
    expect(() => new SentenceSplitter({ overlapSentences: -1 })).toThrow('SentenceSplitter: option "overlapSentences": ');
    expect(() => new SentenceSplitter({ chunkSize: '100' } as never)).toThrow('SentenceSplitter: option "chunkSize": ');
    expect(() => new SentenceSplitter({ chunkOverlap: 100 } as never)).toThrow(
      'SentenceSplitter: config: Unrecognized key: "chunkOverlap"',
    );
  });
});
