import { ValidationError } from '@sage/common';

/**
 * Retrieval metrics with binary relevance over the top `k` retrieved ids (best first). An id retrieved more
 * than once (several chunks of one document, matched by source id) counts at its first position only, so
 * no metric exceeds 1. Without relevant ids the metrics have no value: a ValidationError.
 */
function topUnique(retrievedIds: readonly string[], k: number): Array<{ id: string; rank: number }> {
  if (!Number.isInteger(k) || k < 1) throw new ValidationError(`k must be a positive integer, got ${k}`, { details: { k } });
  const seen = new Set<string>();
  const ranked: Array<{ id: string; rank: number }> = [];
  for (const [index, id] of retrievedIds.slice(0, k).entries()) {
    if (seen.has(id)) continue;
    seen.add(id);
    ranked.push({ id, rank: index + 1 });
  }
  return ranked;
}

function relevantSet(metric: string, relevantIds: readonly string[]): Set<string> {
  if (relevantIds.length === 0) {
    throw new ValidationError(`${metric}: relevantIds must not be empty`, { details: { metric } });
  }
  return new Set(relevantIds);
}

/** Share of the relevant ids found in the top `k`: |relevant ∩ top k| / |relevant|. */
export function recallAtK(retrievedIds: readonly string[], relevantIds: readonly string[], k: number): number {
  const relevant = relevantSet('recallAtK', relevantIds);
  const found = topUnique(retrievedIds, k).filter(({ id }) => relevant.has(id)).length;
  return found / relevant.size;
}

/** 1 / rank of the first relevant id in the top `k`, 0 if there is none; its mean over queries is the MRR. */
export function reciprocalRank(retrievedIds: readonly string[], relevantIds: readonly string[], k: number): number {
  const relevant = relevantSet('mrr', relevantIds);
  const first = topUnique(retrievedIds, k).find(({ id }) => relevant.has(id));
  return first === undefined ? 0 : 1 / first.rank;
}

/**
 * Normalised discounted cumulative gain at `k`, binary relevance: DCG = sum over relevant ids in the top k of
 * 1 / log2(rank + 1), divided by the DCG of the ideal ranking (all relevant ids first, at most k of them).
 */
export function ndcgAtK(retrievedIds: readonly string[], relevantIds: readonly string[], k: number): number {
  const relevant = relevantSet('ndcgAtK', relevantIds);
  let dcg = 0;
  for (const { id, rank } of topUnique(retrievedIds, k)) if (relevant.has(id)) dcg += 1 / Math.log2(rank + 1);
  let ideal = 0;
  for (let rank = 1; rank <= Math.min(k, relevant.size); rank++) ideal += 1 / Math.log2(rank + 1);
  return dcg / ideal;
}
