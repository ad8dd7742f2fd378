/**
 * The benchmark's workload, shared by every contender so that they all do exactly the same work:
 * the input records, the per-record functions of each stage, the sink's tally, and the reference result
 * every contender's output is checked against.
 */

/** An input record of the sync case. */
export interface Rec {
  id: number;
  text: string;
  value: number;
}

/** After the first map. */
export interface Tagged {
  key: string;
  value: number;
}

/** After the keyed count: the key's running count, including this record. */
export interface Counted {
  key: string;
  count: number;
}

export const KEYS = 1000;

export function makeRecords(n: number): Rec[] {
  const records = new Array<Rec>(n);
  for (let i = 0; i < n; i++) records[i] = { id: i, text: 'w' + (i % KEYS), value: i };
  return records;
}

// --- Sync stages: map -> filter -> keyBy -> keyed count -> sink ---

/** Stage 1 (map). */
export const project = (r: Rec): Tagged => ({ key: r.text, value: r.value * 2 });
/** Stage 2 (filter): keeps two records in three. */
export const keep = (t: Tagged): boolean => t.value % 3 !== 0;
/** Stage 3 (keyBy). */
export const keyOf = (t: Tagged): string => t.key;

/** Stage 5 (sink): counts records and remembers the latest running count of each key. */
export class Tally {
  total = 0;
  readonly counts = new Map<string, number>();

  add(c: Counted): void {
    this.total++;
    this.counts.set(c.key, c.count);
  }
}

/** What a sync contender hands back to be verified. */
export interface SyncOutcome {
  total: number;
  counts: ReadonlyMap<string, number>;
}

/** The expected outcome for `n` records, computed from the indices alone (not with the stage functions). */
export function expectedSync(n: number): SyncOutcome {
  const counts = new Map<string, number>();
  let total = 0;
  for (let i = 0; i < n; i++) {
    if ((i * 2) % 3 === 0) continue;
    const key = `w${i % KEYS}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
    total++;
  }
  return { total, counts };
}

export function verifySync(name: string, got: SyncOutcome, want: SyncOutcome): void {
  const fail = (why: string) => {
    throw new Error(`VERIFICATION FAILED for ${name}: ${why}`);
  };
  if (got.total !== want.total) fail(`sink saw ${got.total} records, expected ${want.total}`);
  if (got.counts.size !== want.counts.size) fail(`${got.counts.size} keys, expected ${want.counts.size}`);
  for (const [key, count] of want.counts) {
    if (got.counts.get(key) !== count) fail(`key ${key}: count ${got.counts.get(key)}, expected ${count}`);
  }
}

// --- Async case: three async stages that resolve immediately (no timers) ---

export const step1 = async (x: number): Promise<number> => x + 1;
export const step2 = async (x: number): Promise<number> => x * 2;
export const step3 = async (x: number): Promise<number> => x - 3;
const expectedAt = (i: number): number => (i + 1) * 2 - 3;

export function makeInputs(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

/** Checks the outputs arrive complete and in input order. */
export class AsyncTally {
  count = 0;
  inOrder = true;

  add(value: number): void {
    if (value !== expectedAt(this.count)) this.inOrder = false;
    this.count++;
  }
}

export function verifyAsync(name: string, got: AsyncTally, n: number): void {
  if (got.count !== n) throw new Error(`VERIFICATION FAILED for ${name}: ${got.count} outputs, expected ${n}`);
  if (!got.inOrder) throw new Error(`VERIFICATION FAILED for ${name}: outputs are wrong or out of order`);
}
