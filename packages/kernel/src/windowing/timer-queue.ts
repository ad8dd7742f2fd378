import type { Window } from './window.js';

/** A timer of one key and window. */
export interface WindowTimer<K> {
  readonly timestamp: number;
  readonly key: K;
  /** Orders timers of equal timestamp so firing order does not depend on arrival order. */
  readonly keyId: string;
  readonly window: Window;
}

function compare<K>(a: WindowTimer<K>, b: WindowTimer<K>): number {
  if (a.timestamp !== b.timestamp) return a.timestamp - b.timestamp;
  if (a.keyId !== b.keyId) return a.keyId < b.keyId ? -1 : 1;
  return a.window.id < b.window.id ? -1 : a.window.id > b.window.id ? 1 : 0;
}

/**
 * The timers of one time domain, one per (key, window, timestamp) as in Flink's timer service: registering a
 * timer twice keeps one. A binary heap; deleted timers are skipped when they reach the top. Live timers are
 * found by key id, then window id, then timestamp: those strings already exist (and have their hashes), so a
 * registration builds no string of its own.
 */
export class TimerQueue<K> {
  private readonly heap: WindowTimer<K>[] = [];
  private readonly live = new Map<string, Map<string, Map<number, WindowTimer<K>>>>();
  private liveCount = 0;

  get size(): number {
    return this.liveCount;
  }

  /** True when the timer was not registered yet. */
  register(timer: WindowTimer<K>): boolean {
    let windows = this.live.get(timer.keyId);
    if (windows === undefined) this.live.set(timer.keyId, (windows = new Map()));
    let timestamps = windows.get(timer.window.id);
    if (timestamps === undefined) windows.set(timer.window.id, (timestamps = new Map()));
    if (timestamps.has(timer.timestamp)) return false;
    timestamps.set(timer.timestamp, timer);
    this.liveCount++;
    this.push(timer);
    return true;
  }

  /** True when a timer of this key, window and timestamp is registered (to skip building one). */
  has(keyId: string, window: Window, timestamp: number): boolean {
    return this.live.get(keyId)?.get(window.id)?.has(timestamp) ?? false;
  }

  delete(timer: Omit<WindowTimer<K>, 'key'>): void {
    this.take(timer, undefined);
  }

  /** The live timers of one key: window id -> timestamps. */
  timersOf(keyId: string): Array<[string, number[]]> {
    const windows = this.live.get(keyId);
    if (windows === undefined) return [];
    return [...windows].map(([windowId, timestamps]) => [windowId, [...timestamps.keys()]]);
  }

  /** Removes and returns the earliest timer at or before `time`. */
  pollDue(time: number): WindowTimer<K> | undefined {
    for (;;) {
      const top = this.heap[0];
      if (top === undefined || top.timestamp > time) return undefined;
      this.pop();
      if (this.take(top, top) !== undefined) return top;
    }
  }

  /** Forgets the live timer equal to `timer` (only if it is `only`, when given) and returns it. */
  private take(timer: Omit<WindowTimer<K>, 'key'>, only: WindowTimer<K> | undefined): WindowTimer<K> | undefined {
    const windows = this.live.get(timer.keyId);
    const timestamps = windows?.get(timer.window.id);
    const live = timestamps?.get(timer.timestamp);
    if (live === undefined || (only !== undefined && live !== only)) return undefined;
    timestamps!.delete(timer.timestamp);
    if (timestamps!.size === 0) {
      windows!.delete(timer.window.id);
      if (windows!.size === 0) this.live.delete(timer.keyId);
    }
    this.liveCount--;
    return live;
  }

  private push(timer: WindowTimer<K>): void {
    const heap = this.heap;
    heap.push(timer);
    let index = heap.length - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (compare(heap[parent], heap[index]) <= 0) break;
      // A temporary, not `[a, b] = [b, a]`: that builds an array (and runs its iterator) for every swap.
      const swapped = heap[parent]!;
      heap[parent] = heap[index]!;
      heap[index] = swapped;
      index = parent;
    }
  }

  private pop(): void {
    const heap = this.heap;
    const last = heap.pop();
    if (heap.length === 0 || last === undefined) return;
    heap[0] = last;
    let index = 0;
    for (;;) {
      const left = index * 2 + 1;
      const right = left + 1;
      let smallest = index;
      if (left < heap.length && compare(heap[left], heap[smallest]) < 0) smallest = left;
      if (right < heap.length && compare(heap[right], heap[smallest]) < 0) smallest = right;
      if (smallest === index) return;
      const swapped = heap[smallest]!;
      heap[smallest] = heap[index]!;
      heap[index] = swapped;
      index = smallest;
    }
  }
}
