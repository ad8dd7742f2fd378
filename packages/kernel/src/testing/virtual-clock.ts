import type { Clock } from '../runtime/clock.js';

/** A clock that only moves when told to: time-based behaviour without sleeps. */
export class VirtualClock implements Clock {
  private time = 0;
  private timers: Array<{ at: number; callback: () => void; id: number }> = [];
  private nextId = 0;

  now(): number {
    return this.time;
  }

  schedule(ms: number, callback: () => void): () => void {
    const id = this.nextId++;
    this.timers.push({ at: this.time + ms, callback, id });
    return () => {
      this.timers = this.timers.filter((timer) => timer.id !== id);
    };
  }

  /** Moves time forward by `ms`, firing due timers in time order. */
  advance(ms: number): void {
    const target = this.time + ms;
    for (;;) {
      const due = this.timers.filter((timer) => timer.at <= target).sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (due === undefined) break;
      this.timers = this.timers.filter((timer) => timer !== due);
      this.time = due.at;
      due.callback();
    }
    this.time = target;
  }

  /** Timers not yet fired. */
  get pending(): number {
    return this.timers.length;
  }
}
