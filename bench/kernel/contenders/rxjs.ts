import { filter, from, groupBy, lastValueFrom, map, mergeMap, scan, tap } from 'rxjs';
import { type Counted, keep, keyOf, project, type Rec, type SyncOutcome, Tally } from '../workload.js';

/** RxJS, idiomatically: groupBy the key, and a running count (scan) inside each group. */
export async function runRxjsGroupBy(records: readonly Rec[]): Promise<SyncOutcome> {
  const tally = new Tally();
  await lastValueFrom(
    from(records).pipe(
      map(project),
      filter(keep),
      groupBy(keyOf),
      mergeMap((group) =>
        group.pipe(
          scan((count) => count + 1, 0),
          map((count): Counted => ({ key: group.key, count })),
        ),
      ),
      tap((c) => tally.add(c)),
    ),
    { defaultValue: undefined },
  );
  return tally;
}

/** RxJS, the cheapest way: one scan holding a Map of per-key counts (no per-group subscriptions). */
export async function runRxjsScan(records: readonly Rec[]): Promise<SyncOutcome> {
  const tally = new Tally();
  await lastValueFrom(
    from(records).pipe(
      map(project),
      filter(keep),
      scan(
        (state, tagged) => {
          const key = keyOf(tagged);
          const count = (state.counts.get(key) ?? 0) + 1;
          state.counts.set(key, count);
          state.last = { key, count };
          return state;
        },
        { counts: new Map<string, number>(), last: undefined as Counted | undefined },
      ),
      tap((state) => tally.add(state.last!)),
    ),
    { defaultValue: undefined },
  );
  return tally;
}
