import { ENGLISH_STOP_WORDS } from './english-stop-words.js';

/**
 * A word: a letter or digit, then letters, digits or combining marks. Marks are kept inside words so
 * scripts that write vowels as marks (Devanagari, Thai…) and decomposed accents stay whole; otherwise this
 * is the plain `[\p{L}\p{N}]+` split: punctuation, spaces and symbols separate words.
 */
const WORD = /[\p{L}\p{N}][\p{L}\p{M}\p{N}]*/gu;

/**
 * Splits text into search terms: NFKC-normalised (full-width and ligature forms fold to plain letters,
 * composed and decomposed accents agree), lowercased, cut into words, stop words dropped. No stemming:
 * "cats" does not match "cat". Scripts written without spaces (Chinese, Japanese) come out as one term per
 * run of characters, so only whole runs match.
 */
export function tokenize(text: string, stopWords: ReadonlySet<string> = ENGLISH_STOP_WORDS): string[] {
  const terms: string[] = [];
  for (const match of text.normalize('NFKC').toLowerCase().matchAll(WORD)) {
    const term = match[0];
    if (!stopWords.has(term)) terms.push(term);
  }
  return terms;
}
