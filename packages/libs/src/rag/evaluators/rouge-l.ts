import { answerTokens, bestOverReferences } from './answer-tokens.js';

/** Length of the longest common subsequence of two token lists (dynamic programming, two rows). */
export function longestCommonSubsequence(left: readonly string[], right: readonly string[]): number {
  let previous = new Array<number>(right.length + 1).fill(0);
  let current = new Array<number>(right.length + 1).fill(0);
  for (let i = 1; i <= left.length; i++) {
    for (let j = 1; j <= right.length; j++) {
      current[j] = left[i - 1] === right[j - 1] ? previous[j - 1]! + 1 : Math.max(previous[j]!, current[j - 1]!);
    }
    [previous, current] = [current, previous];
  }
  return previous[right.length]!;
}

/**
 * ROUGE-L (Lin 2004) of `prediction`, the best over the references, on the normalised answer tokens: with
 * the LCS of prediction and reference, precision = LCS / prediction tokens, recall = LCS / reference tokens,
 * and the F-measure with beta = 1, 2PR / (P + R), as Google's `rouge-score`. When either side has no
 * tokens: 1 if both have none, else 0.
 */
export function rougeL(prediction: string, references: readonly string[]): number {
  const predicted = answerTokens(prediction);
  return bestOverReferences('rougeL', references, (reference) => {
    const expected = answerTokens(reference);
    if (predicted.length === 0 || expected.length === 0) return predicted.length === expected.length ? 1 : 0;
    const lcs = longestCommonSubsequence(predicted, expected);
    if (lcs === 0) return 0;
    const precision = lcs / predicted.length;
    const recall = lcs / expected.length;
    return (2 * precision * recall) / (precision + recall);
  });
}
