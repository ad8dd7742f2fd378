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
  const wakers = new Set<() => void>();
  const signal = {
    stopped: false,
    promise,
    get waiting() {
      return wakers.size;
    },
    race<T>(pending: PromiseLike<T>): Promise<T | undefined> {
      if (signal.stopped) return Promise.resolve(undefined);
      return new Promise<T | undefined>((resolve, reject) => {
        const wake = () => resolve(undefined);
        wakers.add(wake);
        pending.then(
          (value) => {
            wakers.delete(wake);
            resolve(value);
          },
          (error: unknown) => {
            wakers.delete(wake);
            reject(error);
          },
        );
      });
    },
    stop() {
      if (signal.stopped) return;
      signal.stopped = true;
      for (const wake of wakers) wake();
      wakers.clear();
      resolveStop();
    },
  };
  return signal;
}
