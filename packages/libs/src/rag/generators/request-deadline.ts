import type { Clock } from '@sage/kernel';

/**
 * The deadline of one request: `signal` aborts when `timeoutMs` pass on `clock` without a `restart()` (then
 * `expired` is true) or when the caller's signal aborts. `dispose()` stops the timer and forgets the caller's
 * signal; call it when the request settles.
 */
export class RequestDeadline {
  expired = false;
  readonly #controller = new AbortController();
  readonly #clock: Clock;
  readonly #timeoutMs: number;
  readonly #outer: AbortSignal | undefined;
  #cancelTimer: (() => void) | undefined;
  readonly #onOuterAbort = () => this.#controller.abort(this.#outer?.reason);

  constructor(clock: Clock, timeoutMs: number, outer?: AbortSignal) {
    this.#clock = clock;
    this.#timeoutMs = timeoutMs;
    this.#outer = outer;
    if (outer?.aborted) this.#controller.abort(outer.reason);
    else outer?.addEventListener('abort', this.#onOuterAbort, { once: true });
    this.restart();
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** Starts the wait again (a stream calls it on each chunk). */
  restart(): void {
    this.#cancelTimer?.();
    if (this.#controller.signal.aborted) return;
    this.#cancelTimer = this.#clock.schedule(this.#timeoutMs, () => {
      this.expired = true;
      this.#controller.abort(new Error(`no response within ${this.#timeoutMs} ms`));
    });
  }

  dispose(): void {
    this.#cancelTimer?.();
    this.#cancelTimer = undefined;
    this.#outer?.removeEventListener('abort', this.#onOuterAbort);
  }

  /** Waits `ms` on `clock`; resolves early (without error) when `signal` aborts: the caller checks it next. */
  static wait(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      let cancel: (() => void) | undefined;
      const done = () => {
        cancel?.();
        signal?.removeEventListener('abort', done);
        resolve();
      };
      cancel = clock.schedule(ms, done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }
}
