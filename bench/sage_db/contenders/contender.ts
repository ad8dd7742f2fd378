import type { Dataset } from '../dataset.js';
import type { ContenderId } from '../options.js';

/** What one timed pass runs: the first `count` queries, k results each. */
export interface Pass {
  k: number;
  /** efSearch / expansion_search (ignored by exact contenders). */
  ef: number;
  count: number;
  /** Only records with `sel < threshold` may be returned. */
  threshold?: number;
}

/**
 * One way of answering queries. `run` is the only timed call; `decode` turns its raw answers into labels
 * (row indices of the dataset, closest first) outside the clock.
 */
export interface Runner<Raw = unknown> {
  name: string;
  /** Outside the clock, before a pass at `ef` (e.g. usearch must reload its index to change expansion_search). */
  prepare?(ef: number): Promise<void> | void;
  run(pass: Pass): Promise<Raw[]>;
  decode(raw: Raw): ArrayLike<number>;
}

export interface Contender {
  id: ContenderId;
  /** Short name for the tables. */
  name: string;
  kind: 'hnsw' | 'exact';
  /** Nothing to build: it scans the dataset's own arrays (no build row in the report). */
  indexless?: boolean;
  /** Timed: from the dataset in memory to an index ready to search. */
  build(dataset: Dataset): Promise<void>;
  /** Outside the clock: the index's size when saved, with what was saved. */
  savedSize?(): Promise<{ bytes: number; what: string } | undefined>;
  /** Unfiltered query runners (single query at a time; some also have a batch runner). */
  runners: Runner[];
  /** Filtered search, when supported; `how` says how (native filter, callback, post-filter...). */
  filtered?: Runner & { how: string };
  dispose(): Promise<void> | void;
}
