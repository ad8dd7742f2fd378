import { ValidationError } from '@sage/common';

const PUNCTUATION = /[\p{P}\p{S}]/gu;
const ARTICLES = new Set(['a', 'an', 'the']);

/**
 * SQuAD's answer normalisation: lowercase, delete punctuation, drop the articles "a", "an", "the", collapse
 * whitespace. Unlike SQuAD's ASCII `string.punctuation`, every Unicode punctuation mark and symbol is deleted
 * (so "“Paris”" and "Paris" agree); like SQuAD, deleting joins the two sides ("don't" -> "dont").
 */
export function normalizeAnswer(text: string): string {
  return answerTokens(text).join(' ');
}

/** The tokens of the normalised answer (whitespace-separated); every text metric compares these. */
export function answerTokens(text: string): string[] {
  return text
    .toLowerCase()
    .replace(PUNCTUATION, '')
    .split(/\s+/u)
    .filter((token) => token !== '' && !ARTICLES.has(token));
}

/** Counts of each item. */
export function countItems(items: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(item, (counts.get(item) ?? 0) + 1);
  return counts;
}

/** Size of the multiset intersection (SQuAD's `Counter(a) & Counter(b)`). */
export function overlapCount(left: readonly string[], right: readonly string[]): number {
  const counts = countItems(right);
  let common = 0;
  for (const token of left) {
    const remaining = counts.get(token) ?? 0;
    if (remaining > 0) {
      common++;
      counts.set(token, remaining - 1);
    }
  }
  return common;
}

/**
 * A text metric without references has no value: that is a ValidationError rather than a silent 0 or NaN
 * that would skew a mean.
 */
export function requireReferences(metric: string, references: readonly string[]): void {
  if (references.length === 0) {
    throw new ValidationError(`${metric}: references must not be empty`, { details: { metric } });
  }
}

/** The best score against any of `references` (at least one). */
export function bestOverReferences(metric: string, references: readonly string[], score: (reference: string) => number): number {
  requireReferences(metric, references);
  return Math.max(...references.map(score));
}
