/**
 * Lets a running source see that the job is stopping, also while it awaits its next record.
 *
 * `race` is the way to await a record and the stop together: `Promise.race([pending, promise])` would attach
 * one reaction to `promise` per call, and since `promise` settles only when the job stops, every awaited
 * record would stay reachable for the whole job (memory that grows with the records, and garbage collections
 * that copy it again and again). A race here leaves nothing behind once `pending` settles.
 */
export interface StopSignal {
  readonly stopped: boolean;
  /** Resolves when the job stops. */
  readonly promise: Promise<void>;
  /** `pending`'s outcome, or `undefined` as soon as the job stops (at once when it has stopped). */
  race<T>(pending: PromiseLike<T>): Promise<T | undefined>;
  /** Races still waiting: none once they have settled. */
  readonly waiting: number;
}

/** A stop signal its owner can fire (once; later calls do nothing). */
export function createStopSignal(): StopSignal & { stop(): void } {
  let resolveStop!: () => void;
  const promise = new Promise<void>((resolve) => (resolveStop = resolve));
  // The waiting races' resolvers, by slot; emptied whenever none waits. A source awaits its records one at a
  // time, so this stays one slot long: a Set, with an add and a delete per record awaited, made garbage.
  const wakers: Array<((value: undefined) => void) | undefined> = [];
  let waiting = 0;
  const release = (slot: number) => {
    if (signal.stopped) return;
    wakers[slot] = undefined;
    if (--waiting === 0) wakers.length = 0;
  };
  const signal = {
    stopped: false,
    promise,
    get waiting() {
      return waiting;
    },
    race<T>(pending: PromiseLike<T>): Promise<T | undefined> {
      if (signal.stopped) return Promise.resolve(undefined);
      return new Promise<T | undefined>((resolve, reject) => {
        const slot = wakers.length;
        wakers.push(resolve);
        waiting++;
        pending.then(
          (value) => {
            release(slot);
            resolve(value);
          },
          (error: unknown) => {
            release(slot);
            reject(error);
          },
        );
      });
    },
    stop() {
      if (signal.stopped) return;
      signal.stopped = true;
      for (const wake of wakers) wake?.(undefined);
      wakers.length = 0;
      waiting = 0;
      resolveStop();
    },
  };
  return signal;
}
