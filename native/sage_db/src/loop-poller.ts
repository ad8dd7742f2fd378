/**
 * Keeps the event loop polling instead of sleeping while searches are in flight. A search answers in
 * ~50-200 µs; a loop blocked in epoll_wait takes tens of µs to wake (much more on virtual machines, where the
 * idle vCPU halts), which was a third of the time of a single awaited search. `setImmediate` makes libuv
 * poll with a zero timeout, so the answer is picked up as soon as it lands. The polling stops `budgetMs`
 * after the last submit or answer (long searches then wait asleep as usual) and never outlives the searches.
 */
export class LoopPoller {
  #inFlight = 0;
  #lastEvent = 0;
  #armed = false;
  readonly #budgetMs: number;

  constructor(budgetMicros: number) {
    this.#budgetMs = budgetMicros / 1000;
  }

  /** Wraps one search: polls while it (or any other) is in flight. */
  track<T>(search: Promise<T>): Promise<T> {
    if (this.#budgetMs <= 0) return search;
    this.#inFlight++;
    this.#lastEvent = performance.now();
    if (!this.#armed) {
      this.#armed = true;
      setImmediate(this.#tick);
    }
    return search.finally(this.#settled);
  }

  #settled = (): void => {
    this.#inFlight--;
    this.#lastEvent = performance.now();
  };

  #tick = (): void => {
    if (this.#inFlight > 0 && performance.now() - this.#lastEvent < this.#budgetMs) setImmediate(this.#tick);
    else this.#armed = false;
  };
}

/**
 * `SAGE_DB_SEARCH_POLL_US` when set to 0..100000, else 0: off. Polling cuts the wake-up of an idle machine
 * but starves the search thread of a core on a busy one (a single search then took ~600 µs instead of ~12).
 */
export function pollBudgetFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.SAGE_DB_SEARCH_POLL_US;
  if (raw === undefined || raw.trim() === '') return 0;
  const value = Number(raw);
  return Number.isInteger(value) && value >= 0 && value <= 100_000 ? value : 0;
}
