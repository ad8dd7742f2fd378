/**
 * Wraps an async loader so that concurrent and later calls share one load. A failed load is forgotten, so the
 * next call tries again (a model file briefly missing, an endpoint restarting) instead of failing forever.
 * `reset()` forgets the current load (for `close()`) and returns it, so the caller can free what it made.
 */
export interface LoadOnce<T> {
  (): Promise<T>;
  reset(): Promise<T> | undefined;
}

export function loadOnce<T>(load: () => Promise<T>): LoadOnce<T> {
  let pending: Promise<T> | undefined;
  const shared = (() => {
    if (pending === undefined) {
      const attempt = load();
      pending = attempt;
      attempt.catch(() => {
        if (pending === attempt) pending = undefined;
      });
    }
    return pending;
  }) as LoadOnce<T>;
  shared.reset = () => {
    const forgotten = pending;
    pending = undefined;
    return forgotten;
  };
  return shared;
}
