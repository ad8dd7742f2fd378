import { answerTokens, countItems, requireReferences } from './answer-tokens.js';

const MAX_ORDER = 4;

function ngrams(tokens: readonly string[], order: number): string[] {
  const grams: string[] = [];
  for (let i = 0; i + order <= tokens.length; i++) grams.push(tokens.slice(i, i + order).join(' '));
  return grams;
}

/**
 * Sentence BLEU of `prediction` against all `references` together (Papineni et al. 2002), on the normalised
 * answer tokens: the geometric mean of the n-gram precisions for n = 1..4 (uniform weights), each n-gram's
 * count clipped to its largest count in any one reference, times the brevity
 * penalty exp(1 - r / c) when the prediction (c tokens) is shorter than the reference closest in length
 * (r tokens; the shorter on ties).
 *
 * Smoothing: "add one" of Lin and Och (2004), as NLTK's `SmoothingFunction().method2`: for n >= 2 the
 * precision is (matches + 1) / (n-grams + 1); the unigram precision is not smoothed, so a prediction
 * sharing no token with any reference scores 0. As in NLTK, an order the prediction is too short for counts
 * as 0 matches out of 1, so the values match `sentence_bleu(references, prediction,
 * smoothing_function=method2)` on the same tokens. An empty prediction scores 0.
 */
export function bleu(prediction: string, references: readonly string[]): number {
  requireReferences('bleu', references);
  const predicted = answerTokens(prediction);
  if (predicted.length === 0) return 0;
  const referenceTokens = references.map(answerTokens);
  let logPrecisionSum = 0;
  for (let order = 1; order <= MAX_ORDER; order++) {
    const counts = countItems(ngrams(predicted, order));
    const maxReferenceCounts = new Map<string, number>();
    for (const tokens of referenceTokens) {
      for (const [gram, count] of countItems(ngrams(tokens, order))) {
        maxReferenceCounts.set(gram, Math.max(count, maxReferenceCounts.get(gram) ?? 0));
      }
    }
    let matches = 0;
    let total = 0;
    for (const [gram, count] of counts) {
      matches += Math.min(count, maxReferenceCounts.get(gram) ?? 0);
      total += count;
    }
    total = Math.max(1, total);
    if (order === 1 && matches === 0) return 0;
    logPrecisionSum += order === 1 ? Math.log(matches / total) : Math.log((matches + 1) / (total + 1));
  }
  const predictedLength = predicted.length;
  const closestLength = referenceTokens
    .map((tokens) => tokens.length)
    .reduce((best, length) => {
      const distance = Math.abs(length - predictedLength) - Math.abs(best - predictedLength);
      return distance < 0 || (distance === 0 && length < best) ? length : best;
    });
  const brevityPenalty = predictedLength > closestLength ? 1 : Math.exp(1 - closestLength / predictedLength);
  return brevityPenalty * Math.exp(logPrecisionSum / MAX_ORDER);
}
