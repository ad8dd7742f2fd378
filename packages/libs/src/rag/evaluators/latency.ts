import { ValidationError } from '@sage/common';
import type { Timings } from '../contracts.js';

export interface Latency {
  /** Sum of the stages, in milliseconds. */
  totalMs: number;
  /** Milliseconds per operator, as recorded in `timings`. */
  stages: Timings;
}

/** The end-to-end latency of a record: the sum of its operators' timings (stages run one after another). */
export function latencyOf(timings: Timings): Latency {
  let totalMs = 0;
  for (const ms of Object.values(timings)) totalMs += ms;
  return { totalMs, stages: { ...timings } };
}

/**
 * The nearest-rank percentile (`p` in 0..100): the smallest value with at least p% of the values at or
 * below it, i.e. the value at position ceil(p / 100 * n) (from 1) in sorted order. Always one of the values;
 * a ValidationError for no values.
 */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) throw new ValidationError('percentile: no values');
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1]!;
}
