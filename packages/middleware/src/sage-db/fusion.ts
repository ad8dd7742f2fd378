import { ValidationError } from '@sage/common';

/**
 * Fusion of ranked result lists (vector search, BM25…) into one ranking, for hybrid search.
 */

/** One ranked list, best first: parallel labels and scores (a `BackendResult` or BM25 result fits). */
export interface RankedList {
  readonly labels: ArrayLike<number>;
  /** Higher is better. Read by `fuseWeighted`; `fuseRrf` uses ranks only. */
  readonly scores: ArrayLike<number>;
}

export interface WeightedRankedList extends RankedList {
  /** This list's share of the fused score; finite and >= 0 (weights need not sum to 1). */
  readonly weight: number;
}

export interface FusedHit {
  label: number;
  score: number;
  /** The label's 1-based rank in each input list, in input order; null where the list lacks it. */
  ranks: Array<number | null>;
}

/**
 * Reciprocal rank fusion (Cormack et al., 2009): score = Σ over lists holding the label of
 * 1 / (rrfK + rank), rank counted from 1. Returns the `k` best, highest score first, ties by smaller label.
 * Scores are ignored, so lists on unrelated scales (cosine, BM25) combine fairly. A label listed twice in
 * one list counts at its best rank.
 */
export function fuseRrf(lists: readonly RankedList[], k: number, rrfK = 60): FusedHit[] {
  checkK('fuseRrf', k);
  if (!(Number.isFinite(rrfK) && rrfK >= 0)) throw new ValidationError(`fuseRrf: rrfK must be a finite number >= 0, got ${rrfK}`);
  const fused = new Map<number, FusedHit>();
  lists.forEach((list, listIndex) => {
    checkList('fuseRrf', list, listIndex, false);
    for (let position = 0; position < list.labels.length; position++) {
      const hit = entryFor(fused, list.labels[position], lists.length);
      if (hit.ranks[listIndex] !== null) continue;
      hit.ranks[listIndex] = position + 1;
      hit.score += 1 / (rrfK + position + 1);
    }
  });
  return best(fused, k);
}

/**
 * Weighted score fusion: each list's scores are min-max normalised to [0, 1] (a list whose scores are all
 * equal, or that has one entry, normalises to 1), then score = Σ weight · normalised score over the lists
 * holding the label (a missing label adds 0). Returns the `k` best, highest first, ties by smaller label.
 * A label listed twice in one list counts once, at its first (best-ranked) entry.
 */
export function fuseWeighted(lists: readonly WeightedRankedList[], k: number): FusedHit[] {
  checkK('fuseWeighted', k);
  const fused = new Map<number, FusedHit>();
  lists.forEach((list, listIndex) => {
    checkList('fuseWeighted', list, listIndex, true);
    const weight = list.weight;
    if (!(Number.isFinite(weight) && weight >= 0)) {
      throw new ValidationError(`fuseWeighted: lists[${listIndex}].weight must be a finite number >= 0, got ${weight}`);
    }
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    for (let position = 0; position < list.scores.length; position++) {
      min = Math.min(min, list.scores[position]);
      max = Math.max(max, list.scores[position]);
    }
    const range = max - min;
    for (let position = 0; position < list.labels.length; position++) {
      const hit = entryFor(fused, list.labels[position], lists.length);
      if (hit.ranks[listIndex] !== null) continue;
      hit.ranks[listIndex] = position + 1;
      const normalised = range > 0 ? (list.scores[position] - min) / range : 1;
      hit.score += weight * normalised;
    }
  });
  return best(fused, k);
}

function entryFor(fused: Map<number, FusedHit>, label: number, listCount: number): FusedHit {
  let hit = fused.get(label);
  if (hit === undefined) {
    hit = { label, score: 0, ranks: new Array<number | null>(listCount).fill(null) };
    fused.set(label, hit);
  }
  return hit;
}

function best(fused: Map<number, FusedHit>, k: number): FusedHit[] {
  // Candidate lists are short (a few hundred), so a full sort is simplest.
  return [...fused.values()].sort((a, b) => b.score - a.score || a.label - b.label).slice(0, k);
}

function checkK(where: string, k: number): void {
  if (!Number.isInteger(k) || k < 0) throw new ValidationError(`${where}: k must be a non-negative integer, got ${k}`);
}

function checkList(where: string, list: RankedList, listIndex: number, needsScores: boolean): void {
  const at = `${where}: lists[${listIndex}]`;
  if (list === null || typeof list !== 'object' || list.labels === undefined) throw new ValidationError(`${at} must have labels`);
  for (let position = 0; position < list.labels.length; position++) {
    const label = list.labels[position];
    if (!Number.isInteger(label) || label < 0) throw new ValidationError(`${at}.labels[${position}] must be a non-negative integer, got ${label}`);
  }
  if (!needsScores) return;
  if (list.scores === undefined || list.scores.length !== list.labels.length) {
    throw new ValidationError(`${at} must have as many scores as labels`);
  }
  for (let position = 0; position < list.scores.length; position++) {
    if (!Number.isFinite(list.scores[position])) {
      throw new ValidationError(`${at}.scores[${position}] must be finite, got ${list.scores[position]}`);
    }
  }
}
