import { canonicalKey } from '@sage/common';
import { AggregateWindowBase, aggregateWindowRefusal, isObjectKey } from './aggregate-window-base.js';
import { EventTimeSessionWindows } from './assigners.js';
import { requireOperatorTimestamp, windowFunctionFailure } from './validation.js';
import { TimeWindow, type Window } from './window.js';
import type { WindowOperatorOptions } from './window-operator.js';

/** The sessions of one key, in start order; they neither overlap nor touch (those merge). */
interface KeySessions {
  key: unknown;
  keyId: string;
  sessions: Session[];
}

/** One session window `[start, end)` of a key and its accumulator. */
interface Session {
  start: number;
  end: number;
  accumulator: unknown;
  owner: KeySessions;
  /** Merged into another session or cleaned up: its place in the queue is skipped. */
  gone: boolean;
  /** Waiting for its `maxTimestamp` to fire, or fired and waiting for the end of its allowed lateness. */
  fired: boolean;
  /** Its time in the queue; the session may have grown since, which the queue learns when it gets there. */
  queuedAt: number;
  /** Its place in the queue's heap array. */
  heapIndex: number;
}

/** Why the window cannot run on the session lists, or `undefined` when it can. */
export function sessionWindowRefusal(spec: Pick<WindowOperatorOptions<any, any, any, any>, 'assigner' | 'trigger' | 'evictor' | 'function'>): string | undefined {
  return aggregateWindowRefusal(spec, (assigner) => assigner instanceof EventTimeSessionWindows, 'an event-time session window');
}

/**
 * The TypeScript window operator for event-time session windows with the default trigger, no evictor and an
 * aggregate (optionally followed by a process window function), with `WindowOperator`'s results: the same
 * merging (accumulators merged in start order), lateness, side output, result timestamps and order. Each key
 * keeps a short list of its sessions; one queue holds every session once, by the time it is due next (its
 * `maxTimestamp`, then the end of its allowed lateness), so a record that extends a session touches neither a
 * timer nor a window object: the queue finds the new end when the session reaches its top.
 */
export class SessionWindowOperator<In, Out, Key = unknown> extends AggregateWindowBase<In, Out, Key> {
  readonly engine = 'sessions';
  private readonly gap: number;
  /** Keys that are strings, numbers, booleans, bigints, `undefined` or `null`, by value. */
  private readonly keys = new Map<unknown, KeySessions>();
  /** Other keys (objects) by canonical form. */
  private readonly objectKeys = new Map<string, KeySessions>();
  /** A binary heap by (`queuedAt`, key id): the general core's timer order. */
  private readonly queue: Session[] = [];
  private sessionCount = 0;

  constructor(options: WindowOperatorOptions<In, Out, Key, Window>) {
    super(options, sessionWindowRefusal(options));
    this.gap = (options.assigner as EventTimeSessionWindows).gap;
  }

  get windowCount(): number {
    return this.sessionCount;
  }

  processElement(record: In, timestamp?: number): void {
    const elementTimestamp = requireOperatorTimestamp('window operator', this.name, timestamp, record);
    const key = this.selectKey(record);
    const start = elementTimestamp;
    const end = elementTimestamp + this.gap;
    const owner = this.sessionsOf(key);
    const { sessions } = owner;
    // The sessions the new window [start, end) overlaps or touches, a run in start order.
    let first = 0;
    while (first < sessions.length && sessions[first]!.end < start) first++;
    let last = first;
    while (last < sessions.length && sessions[last]!.start <= end) last++;
    let session: Session;
    if (first === last) {
      if (this.cleanupTime(end - 1) <= this.watermark) {
        if (sessions.length === 0) this.forget(owner);
        this.late(record, elementTimestamp);
        return;
      }
      session = { start, end, accumulator: this.accumulate(record, undefined, true), owner, gone: false, fired: false, queuedAt: 0, heapIndex: -1 };
      sessions.splice(first, 0, session);
      this.sessionCount++;
      this.schedule(session);
    } else {
      session = sessions[first]!;
      const grows = start < session.start || Math.max(end, sessions[last - 1]!.end) > session.end;
      // As the general core: the first session keeps the contents and takes the others' in start order.
      for (let i = first + 1; i < last; i++) {
        const merged = sessions[i]!;
        session.accumulator = this.mergeAccumulators(session, merged);
        merged.gone = true;
      }
      session.start = Math.min(session.start, start);
      session.end = Math.max(end, sessions[last - 1]!.end);
      if (last - first > 1) {
        sessions.splice(first + 1, last - first - 1);
        this.sessionCount -= last - first - 1;
      }
      session.accumulator = this.accumulate(record, session.accumulator, false);
      // A grown session fires again at its new end (at once below if that is already behind the watermark).
      if (grows && session.fired) {
        session.fired = false;
        // Queued for the end of its lateness, which may come after its new end.
        if (session.end - 1 < session.queuedAt) {
          session.queuedAt = session.end - 1;
          this.siftUp(session);
        }
      }
    }
    if (session.end - 1 <= this.watermark) {
      this.fire(new TimeWindow(session.start, session.end), key, session.accumulator);
      session.fired = true;
    }
  }

  protected fireDue(): void {
    const { queue } = this;
    while (queue.length > 0 && queue[0]!.queuedAt <= this.watermark) {
      const session = this.pop();
      if (session.gone) continue;
      const due = session.fired ? this.cleanupTime(session.end - 1) : session.end - 1;
      if (session.queuedAt < due) {
        // The session grew since it was queued: back in at its new time (still now, if that is behind).
        session.queuedAt = due;
        this.push(session);
        continue;
      }
      if (!session.fired) {
        this.fire(new TimeWindow(session.start, session.end), session.owner.key, session.accumulator);
        session.fired = true;
        const cleanup = this.cleanupTime(session.end - 1);
        if (cleanup > this.watermark) {
          session.queuedAt = cleanup;
          this.push(session);
          continue;
        }
      }
      this.remove(session);
    }
  }

  private sessionsOf(key: unknown): KeySessions {
    const byObject = isObjectKey(key);
    const keyId = byObject ? canonicalKey(key) : undefined;
    const map = byObject ? this.objectKeys : this.keys;
    const mapKey = byObject ? keyId : key;
    let owner = map.get(mapKey as never);
    if (owner === undefined) {
      owner = { key, keyId: keyId ?? canonicalKey(key), sessions: [] };
      map.set(mapKey as never, owner);
    }
    return owner;
  }

  private forget(owner: KeySessions): void {
    if (isObjectKey(owner.key)) this.objectKeys.delete(owner.keyId);
    else this.keys.delete(owner.key);
  }

  private remove(session: Session): void {
    session.gone = true;
    const { sessions } = session.owner;
    sessions.splice(sessions.indexOf(session), 1);
    this.sessionCount--;
    if (sessions.length === 0) this.forget(session.owner);
  }

  /** Queues a new session at its `maxTimestamp` (or, fired at once as late, at the end of its lateness). */
  private schedule(session: Session): void {
    session.queuedAt = session.end - 1;
    this.push(session);
  }

  private mergeAccumulators(target: Session, source: Session): unknown {
    try {
      return this.aggregate.merge(target.accumulator, source.accumulator);
    } catch (error) {
      throw windowFunctionFailure(this.name, new TimeWindow(Math.min(target.start, source.start), Math.max(target.end, source.end)), error);
    }
  }

  private push(session: Session): void {
    session.heapIndex = this.queue.push(session) - 1;
    this.siftUp(session);
  }

  /** Moves a session up the heap to its place (it was just added, or its time came earlier). */
  private siftUp(session: Session): void {
    const { queue } = this;
    let index = session.heapIndex;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      const above = queue[parent]!;
      if (!before(session, above)) break;
      queue[index] = above;
      above.heapIndex = index;
      index = parent;
    }
    queue[index] = session;
    session.heapIndex = index;
  }

  private pop(): Session {
    const { queue } = this;
    const top = queue[0]!;
    const last = queue.pop()!;
    top.heapIndex = -1;
    if (queue.length === 0) return top;
    let index = 0;
    for (;;) {
      const left = index * 2 + 1;
      if (left >= queue.length) break;
      const right = left + 1;
      const child = right < queue.length && before(queue[right]!, queue[left]!) ? right : left;
      const below = queue[child]!;
      if (!before(below, last)) break;
      queue[index] = below;
      below.heapIndex = index;
      index = child;
    }
    queue[index] = last;
    last.heapIndex = index;
    return top;
  }
}

/** Queue order: time, then key id (sessions of one key are never due at the same time unless one is only cleaned up). */
function before(a: Session, b: Session): boolean {
  if (a.queuedAt !== b.queuedAt) return a.queuedAt < b.queuedAt;
  return a.owner.keyId < b.owner.keyId;
}
