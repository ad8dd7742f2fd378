import { z } from 'zod';
import { parseConfig } from '../config.js';
import { type Chunk, type ChunkPiece, type DocumentInput, type Splitter, toChunks } from './chunk.js';

/** A sentence as offsets into the text: `text.slice(start, end)`, without surrounding whitespace. */
export interface SentenceSpan {
  start: number;
  end: number;
}

/**
 * Words that end with a period but rarely end a sentence (lowercase, without the final period). Words that
 * often do end one (`etc.`, `Inc.`) are left out: they end a sentence when the next word is capitalised, and
 * not when it is lowercase (the general rule below). Dotted letters (`e.g.`, `i.e.`, `U.S.`) are recognised
 * by their shape.
 */
const ABBREVIATIONS = new Set([
  'mr', 'mrs', 'ms', 'dr', 'prof', 'sr', 'jr', 'st', 'mt', 'rev', 'hon', 'gen', 'col', 'lt', 'sgt', 'capt', 'gov', 'sen',
  'vs', 'cf', 'viz', 'al', 'fig', 'figs', 'eq', 'no', 'nos', 'vol', 'pp', 'ch', 'sec', 'approx', 'ca',
]);

/** Sentence-final punctuation, optionally followed by closing quotes or brackets, then whitespace or the end. */
const TERMINATOR = /[.!?…]+["'”’)\]]*(?=\s|$)/gu;
/** A blank line always ends a sentence (headings and list items often have no final punctuation). */
const PARAGRAPH_BREAK = /\n[ \t]*\n/g;
/** The first non-space character from `lastIndex` on (sticky: no copy of the rest of the text). */
const NEXT_CHARACTER = /\s*(\S)/uy;
const LEADING_OPENERS = /^["'“‘([]+/u;
const CLOSING = /["'”’)\]]+$/u;

/** Whether the period ending at `end` (exclusive, after closing marks) belongs to an abbreviation or initial. */
function endsWithAbbreviation(text: string, end: number): boolean {
  let wordStart = end;
  while (wordStart > 0 && !/\s/u.test(text.charAt(wordStart - 1))) wordStart--;
  const word = text.slice(wordStart, end).replace(LEADING_OPENERS, '').replace(CLOSING, '');
  if (!word.endsWith('.') || word.endsWith('..')) return false;
  const stem = word.slice(0, -1).toLowerCase();
  // A single letter is an initial ("J. R. R. Tolkien"); letters joined by periods are an abbreviation.
  return ABBREVIATIONS.has(stem) || /^\p{L}(\.\p{L})*$/u.test(stem);
}

/**
 * Splits text into sentences. A sentence ends at `.`, `!`, `?` or `…` (with any closing quotes or brackets)
 * followed by whitespace, unless the next word starts with a lowercase letter or the period belongs to an
 * abbreviation ("Mr.", "e.g.", "Fig.", "U.S.") or an initial; a blank line always ends a sentence. Decimals
 * ("3.14") and dotted names ("example.com") never split, as no whitespace follows their period. A rule-based
 * approximation: a sentence ending in an abbreviation ("She moved to the U.S. Then…") is not split there.
 */
export function splitSentences(text: string): SentenceSpan[] {
  const boundaries: number[] = [];
  for (const match of text.matchAll(TERMINATOR)) {
    const end = match.index + match[0].length;
    NEXT_CHARACTER.lastIndex = end;
    if (/\p{Ll}/u.test(NEXT_CHARACTER.exec(text)?.[1] ?? '')) continue;
    if (!/[!?…]/u.test(match[0]) && endsWithAbbreviation(text, end)) continue;
    boundaries.push(end);
  }
  for (const match of text.matchAll(PARAGRAPH_BREAK)) boundaries.push(match.index);
  boundaries.sort((a, b) => a - b);
  boundaries.push(text.length);

  const sentences: SentenceSpan[] = [];
  let from = 0;
  for (const boundary of boundaries) {
    if (boundary < from) continue;
    let start = from;
    let end = boundary;
    while (start < end && /\s/u.test(text.charAt(start))) start++;
    while (end > start && /\s/u.test(text.charAt(end - 1))) end--;
    if (end > start) sentences.push({ start, end });
    from = boundary;
  }
  return sentences;
}

export const sentenceSplitterOptionsSchema = z.strictObject({
  /** Maximum characters per chunk; a single sentence longer than this becomes a chunk of its own. */
  chunkSize: z.number().int().positive().default(1000),
  /** How many whole sentences at the end of a chunk start the next one (fewer if they would not fit). */
  overlapSentences: z.number().int().nonnegative().default(1),
});

export type SentenceSplitterOptions = z.input<typeof sentenceSplitterOptionsSchema>;

/**
 * Packs whole sentences (see `splitSentences`) into chunks of at most `chunkSize` characters, so no chunk
 * cuts a sentence; each chunk is a verbatim slice of the text and records its `start`. Consecutive chunks
 * share the last `overlapSentences` sentences of the first, as many as fit with the next new sentence.
 */
export class SentenceSplitter implements Splitter {
  private readonly chunkSize: number;
  private readonly overlapSentences: number;

  constructor(options: SentenceSplitterOptions = {}) {
    const parsed = parseConfig('SentenceSplitter', sentenceSplitterOptionsSchema, options);
    this.chunkSize = parsed.chunkSize;
    this.overlapSentences = parsed.overlapSentences;
  }

  async split(document: DocumentInput): Promise<Chunk[]> {
    return toChunks(document, this.pack(document.text));
  }

  private pack(text: string): ChunkPiece[] {
    const pieces: ChunkPiece[] = [];
    const emit = (sentences: SentenceSpan[]) => {
      const start = sentences[0]!.start;
      pieces.push({ text: text.slice(start, sentences.at(-1)!.end), start });
    };
    let current: SentenceSpan[] = [];
    for (const sentence of splitSentences(text)) {
      if (current.length > 0 && sentence.end - current[0]!.start > this.chunkSize) {
        emit(current);
        const kept = this.overlapSentences > 0 ? current.slice(-this.overlapSentences) : [];
        // `current` did not fit with `sentence`, so its first sentence is always dropped: no chunk repeats another.
        while (kept.length > 0 && sentence.end - kept[0]!.start > this.chunkSize) kept.shift();
        current = kept;
      }
      current.push(sentence);
    }
    if (current.length > 0) emit(current);
    return pieces;
  }
}
