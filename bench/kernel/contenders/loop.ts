import { type Counted, keep, keyOf, project, type Rec, type SyncOutcome, Tally } from '../workload.js';

/** The floor: a hand-written loop doing the same per-record work, with a Map for per-key counts. */
export async function runLoop(records: readonly Rec[]): Promise<SyncOutcome> {
  const counts = new Map<string, number>();
  const tally = new Tally();
  for (let i = 0; i < records.length; i++) {
    const tagged = project(records[i]!);
    if (!keep(tagged)) continue;
    const key = keyOf(tagged);
    const count = (counts.get(key) ?? 0) + 1;
    counts.set(key, count);
    const out: Counted = { key, count };
    tally.add(out);
  }
  return tally;
}
