/**
 * Sentences and index terms for the extractive answerer. Terms are lowercase words and numbers, without
 * stopwords, with English plural and possessive endings folded (`capitals` and `capital's` -> `capital`) so
 * that a question and its answer meet on the same term. The folding is crude but the same on both sides,
 * which is all matching needs.
 */

const STOPWORDS = new Set(
  (
    'a about above after again against all also am an and any are as at be because been before being below ' +
    'between both but by can could did do does doing done down during each either else ever every few for from ' +
    'further get gets got had has have having he her here hers herself him himself his how i if in into is it its ' +
    'itself just let me might more most much must my myself neither no nor not now of off on once only or other ' +
    'ought our ours ourselves out over own please same shall she should so some such tell than that the their ' +
    'theirs them themselves then there these they this those through thus to too under until up upon us very was ' +
    'we were what whatever when where whether which while who whom whose why will with within without would yes ' +
    'yet you your yours yourself yourselves'
  ).split(' '),
);

const WORD = /[\p{L}\p{N}]+(?:['’][\p{L}]+)?/gu;

/** The index terms of `text`, in order, repeats kept (term frequency counts them). */
export function terms(text: string): string[] {
  const found: string[] = [];
  for (const [word] of text.toLowerCase().matchAll(WORD)) {
    const term = fold(word.replace(/['’]s$/, '').replace(/['’]/g, ''));
    if (term !== '' && !STOPWORDS.has(term) && !STOPWORDS.has(word)) found.push(term);
  }
  return found;
}

/** Plural endings off: `cities` -> `city`, `boxes` -> `box`, `capitals` -> `capital`; `glass`, `bus`, `is` stay. */
function fold(word: string): string {
  if (word.length > 4 && word.endsWith('ies')) return `${word.slice(0, -3)}y`;
  if (word.length > 4 && /(?:ss|x|z|ch|sh)es$/.test(word)) return word.slice(0, -2);
  if (word.length > 3 && word.endsWith('s') && !/(?:ss|us|is)$/.test(word)) return word.slice(0, -1);
  return word;
}

const segmenter = new Intl.Segmenter('en', { granularity: 'sentence' });

/**
 * The sentences of `text`, trimmed, in order. Blank lines and list items end a sentence; other line breaks
 * are hard wrapping and join lines.
 */
export function splitSentences(text: string): string[] {
  const sentences: string[] = [];
  for (const block of text.split(/\n\s*\n|\n(?=\s*(?:[-*•]|\d+[.)])\s)/)) {
    const paragraph = block.replace(/\s*\n\s*/g, ' ').trim();
    for (const { segment } of segmenter.segment(paragraph)) {
      const sentence = segment.trim();
      if (sentence !== '') sentences.push(sentence);
    }
  }
  return sentences;
}
