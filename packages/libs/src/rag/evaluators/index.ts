export { answerTokens, normalizeAnswer } from './answer-tokens.js';
export { bleu } from './bleu.js';
export {
  type EvaluationSummary,
  Evaluator,
  type EvaluatorConfig,
  formatSummary,
  METRIC_NAMES,
  type MetricName,
  type Percentiles,
  type WithScores,
} from './evaluator.js';
export { type Latency, latencyOf, percentile } from './latency.js';
export { ndcgAtK, recallAtK, reciprocalRank } from './retrieval-metrics.js';
export { longestCommonSubsequence, rougeL } from './rouge-l.js';
export { exactMatch, tokenF1, tokenRecall } from './squad-metrics.js';
