/** Time as the runtime sees it; tests inject a virtual clock instead of sleeping. */
export interface Clock {
  /** Milliseconds, monotonic. */
  now(): number;
  /** Calls `callback` after `ms`; returns a function that cancels it. */
  schedule(ms: number, callback: () => void): () => void;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  schedule(ms, callback) {
    const timer = setTimeout(callback, ms);
    timer.unref?.();
    return () => clearTimeout(timer);
  },
};

export function sleep(clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve) => clock.schedule(ms, resolve));
}
