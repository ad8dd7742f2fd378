import { describe, expect, it } from 'vitest';
import { splitSentences, terms } from './text-terms.js';

describe('terms', () => {
  it('drops stopwords and punctuation, lowercases, and folds plurals and possessives', () => {
    expect(terms('What is the capital of the United States?')).toEqual(['capital', 'united', 'state']);
    expect(terms("Australia's capitals, cities and boxes")).toEqual(['australia', 'capital', 'city', 'box']);
    expect(terms('The glass bus is famous')).toEqual(['glass', 'bus', 'famous']);
  });

  it('folds a question word and its answer word to the same term', () => {
    expect(terms('capitals')).toEqual(terms('capital'));
    expect(terms('Which cities?')).toEqual(terms('a city'));
  });

  it('keeps numbers and non-English letters', () => {
    expect(terms('Opened in 1932 in Zürich')).toEqual(['opened', '1932', 'zürich']);
  });

  it('gives nothing for a question of stopwords only', () => {
    expect(terms('What is it, and where was it?')).toEqual([]);
  });
});

describe('splitSentences', () => {
  it('splits on sentence ends and trims', () => {
    expect(splitSentences('  One sentence. Another one!  A third?')).toEqual(['One sentence.', 'Another one!', 'A third?']);
  });

  it('joins hard-wrapped lines and splits paragraphs and list items', () => {
    const text = 'Call me Ishmael. Some years\nago, never mind how long.\n\nA new paragraph\n- first item\n- second item';
    expect(splitSentences(text)).toEqual([
      'Call me Ishmael.',
      'Some years ago, never mind how long.',
      'A new paragraph',
      '- first item',
      '- second item',
    ]);
  });

  it('gives nothing for empty text', () => {
    expect(splitSentences('')).toEqual([]);
    expect(splitSentences(' \n\n ')).toEqual([]);
  });
});
