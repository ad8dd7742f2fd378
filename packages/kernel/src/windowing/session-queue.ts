import type { Session } from './session-window-operator.js';

/**
 * The session windows of an operator by the time each is due next (`queuedAt`), then key id: the general
 * core's timer order. A binary heap that keeps each session's place in it, so a session whose time comes
 * earlier moves up where it is.
 */
export class SessionQueue {
  private readonly heap: Session[] = [];

  push(session: Session, time: number): void {
    session.queuedAt = time;
    session.heapIndex = this.heap.push(session) - 1;
    this.siftUp(session);
  }

  /** `session`, in the queue, is due at `time`, earlier than it was. */
  moveUp(session: Session, time: number): void {
    session.queuedAt = time;
    this.siftUp(session);
  }

  /** Takes the first session due at or before `time`, if any. */
  popDue(time: number): Session | undefined {
    const { heap } = this;
    const top = heap[0];
    if (top === undefined || top.queuedAt > time) return undefined;
    const last = heap.pop()!;
    top.heapIndex = -1;
    if (heap.length > 0) this.siftDown(last);
    return top;
  }

  private siftUp(session: Session): void {
    const { heap } = this;
    let index = session.heapIndex;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      const above = heap[parent]!;
      if (!before(session, above)) break;
      this.place(above, index);
      index = parent;
    }
    this.place(session, index);
  }

  /** Puts `session` (the former last one) at the root and lets it sink to its place. */
  private siftDown(session: Session): void {
    const { heap } = this;
    let index = 0;
    for (let left = 1; left < heap.length; left = index * 2 + 1) {
      const right = left + 1;
      const child = right < heap.length && before(heap[right]!, heap[left]!) ? right : left;
      if (!before(heap[child]!, session)) break;
      this.place(heap[child]!, index);
      index = child;
    }
    this.place(session, index);
  }

  private place(session: Session, index: number): void {
    this.heap[index] = session;
    session.heapIndex = index;
  }
}

/** Time, then key id (sessions of one key are never due at the same time unless one is only cleaned up). */
function before(a: Session, b: Session): boolean {
  if (a.queuedAt !== b.queuedAt) return a.queuedAt < b.queuedAt;
  return a.owner.keyId < b.owner.keyId;
}
