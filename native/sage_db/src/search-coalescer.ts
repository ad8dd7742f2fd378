import type { RawResults } from './native-types.js';

/** The native batch search: `queries` holds `queries.length / dimension` rows. */
export type BatchSearch = (queries: Float32Array, k: number, efSearch: number, nprobe: number) => Promise<RawResults>;

interface Waiting {
  resolve(results: RawResults): void;
  reject(error: unknown): void;
}

interface Group {
  k: number;
  efSearch: number;
  nprobe: number;
  rows: Float32Array[];
  waiting: Waiting[];
}

/**
 * Merges single-query searches made in the same turn of the event loop (same k, efSearch and nprobe) into
 * one native batch call. Several callers awaiting their own queries at once (an async map with
 * `concurrency`) then cost one hand-off to the search thread and one wake-up back instead of one each; a
 * lone caller still makes a call of one query, one microtask later.
 */
export class SearchCoalescer {
  readonly #dimension: number;
  readonly #search: BatchSearch;
  #groups = new Map<string, Group>();

  constructor(dimension: number, search: BatchSearch) {
    this.#dimension = dimension;
    this.#search = search;
  }

  /** One query (copied now: the caller may reuse its array) answered as a batch of one. */
  search(query: Float32Array, k: number, efSearch: number, nprobe: number): Promise<RawResults> {
    const key = `${k}/${efSearch}/${nprobe}`;
    let group = this.#groups.get(key);
    if (group === undefined) {
      group = { k, efSearch, nprobe, rows: [], waiting: [] };
      if (this.#groups.size === 0) queueMicrotask(() => this.flush());
      this.#groups.set(key, group);
    }
    group.rows.push(query.slice());
    const pending = group;
    return new Promise<RawResults>((resolve, reject) => pending.waiting.push({ resolve, reject }));
  }

  /** Sends the waiting searches now (done before the index closes, so they still run). */
  flush(): void {
    const groups = [...this.#groups.values()];
    this.#groups = new Map();
    for (const group of groups) this.#run(group);
  }

  #run({ k, efSearch, nprobe, rows, waiting }: Group): void {
    let batch: Promise<RawResults>;
    try {
      batch = this.#search(rows.length === 1 ? rows[0]! : concat(rows, this.#dimension), k, efSearch, nprobe);
    } catch (error) {
      batch = Promise.reject(error);
    }
    batch.then(
      (results) => {
        if (waiting.length === 1) {
          waiting[0]!.resolve(results);
          return;
        }
        waiting.forEach((caller, q) => {
          caller.resolve(row(results, q));
        });
      },
      (error: unknown) => {
        for (const caller of waiting) caller.reject(error);
      },
    );
  }
}

function concat(rows: readonly Float32Array[], dimension: number): Float32Array {
  const out = new Float32Array(rows.length * dimension);
  rows.forEach((values, index) => {
    out.set(values, index * dimension);
  });
  return out;
}

/** Query `q`'s results as the results of a batch of one (views, no copies). */
function row(results: RawResults, q: number): RawResults {
  const from = results.offsets[q]!;
  const to = results.offsets[q + 1]!;
  return { labels: results.labels.subarray(from, to), scores: results.scores.subarray(from, to), offsets: Uint32Array.of(0, to - from) };
}
