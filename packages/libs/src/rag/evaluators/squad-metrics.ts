import { answerTokens, bestOverReferences, normalizeAnswer, overlapCount } from './answer-tokens.js';

/** 1 when the normalised prediction equals a normalised reference, else 0 (SQuAD exact match). */
export function exactMatch(prediction: string, references: readonly string[]): number {
  const normalized = normalizeAnswer(prediction);
  return bestOverReferences('exactMatch', references, (reference) => (normalizeAnswer(reference) === normalized ? 1 : 0));
}

/**
 * SQuAD token F1, the best over the references: with `common` the shared tokens (multiset), precision =
 * common / prediction tokens, recall = common / reference tokens, F1 = 2PR / (P + R). When either side has
 * no tokens after normalisation, 1 if both have none, else 0 (SQuAD's convention).
 */
export function tokenF1(prediction: string, references: readonly string[]): number {
  const predicted = answerTokens(prediction);
  return bestOverReferences('tokenF1', references, (reference) => {
    const expected = answerTokens(reference);
    if (predicted.length === 0 || expected.length === 0) return predicted.length === expected.length ? 1 : 0;
    const common = overlapCount(predicted, expected);
    if (common === 0) return 0;
    const precision = common / predicted.length;
    const recall = common / expected.length;
    return (2 * precision * recall) / (precision + recall);
  });
}

/**
 * Token recall, the best over the references: the share of a reference's tokens (multiset) that the
 * prediction contains. A reference with no tokens after normalisation scores 1 against an empty prediction
 * and 0 otherwise, as in `tokenF1`.
 */
export function tokenRecall(prediction: string, references: readonly string[]): number {
  const predicted = answerTokens(prediction);
  return bestOverReferences('tokenRecall', references, (reference) => {
    const expected = answerTokens(reference);
    if (expected.length === 0) return predicted.length === 0 ? 1 : 0;
    return overlapCount(predicted, expected) / expected.length;
  });
}
