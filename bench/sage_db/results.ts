/** What each section of a dataset's run measured; report.ts prints it, bench.ts fills it. */
import type { Score } from './measure.js';

export const RECALL_TARGETS = [0.95, 0.99] as const;

export interface BuildResult {
  name: string;
  seconds: number;
  vectorsPerSecond: number;
  /** Process RSS after minus before the build, both after a full GC. */
  rssDelta: number;
  /** V8 heap (heapUsed) after minus before. */
  heapDelta: number;
  saved?: { bytes: number; what: string };
  /** The contender has no index to build. */
  indexless?: boolean;
  error?: string;
}

export interface SweepPoint {
  ef: number;
  recall: number;
  qps: number;
}

export interface AtRecall {
  target: number;
  /** Smallest swept setting reaching the target, undefined when none did. */
  ef?: number;
  recall?: number;
  /** Median queries/s over the measured rounds at `ef`. */
  qpsAtEf?: number;
  /** The swept setting just below `ef` (recall under the target), when there is one. */
  below?: { ef: number; recall: number };
  /**
   * Queries/s at exactly the target recall: interpolated linearly in recall between `below` and `ef` (both
   * re-measured), or `qpsAtEf` when the first swept setting already reached it.
   */
  qps?: number;
}

export interface AnnResult {
  name: string;
  contender: string;
  points: SweepPoint[];
  atRecall: AtRecall[];
  error?: string;
}

export interface ExactResult {
  name: string;
  msPerQuery: number;
  /** Bytes of base vectors scanned per second, 1e9 bytes. */
  gbPerSecond: number;
  recall: number;
  queries: number;
  error?: string;
}

export interface FilteredResult {
  selectivity: string;
  matches: number;
  name: string;
  how: string;
  ef: number;
  score?: Score;
  qps?: number;
  error?: string;
}

export interface DatasetResult {
  count: number;
  dimension: number;
  queries: number;
  k: number;
  generateSeconds: number;
  truth: { file: string; cached: boolean; seconds: number };
  builds: BuildResult[];
  ann: AnnResult[];
  exact: ExactResult[];
  filtered: FilteredResult[];
}
