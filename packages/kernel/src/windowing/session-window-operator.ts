import { canonicalKey } from '@sage/common';
import { AggregateWindowBase, aggregateWindowRefusal, isObjectKey } from './aggregate-window-base.js';
import { EventTimeSessionWindows } from './assigners.js';
import { SessionQueue } from './session-queue.js';
import { requireOperatorTimestamp, windowFunctionFailure } from './validation.js';
import { TimeWindow, type Window } from './window.js';
import { type WindowKeySnapshot, windowFromId } from './window-key-snapshot.js';
import type { WindowOperatorOptions } from './window-operator.js';

/** The sessions of one key, in start order; they neither overlap nor touch (those merge). */
export interface KeySessions {
  key: unknown;
  keyId: string;
  sessions: Session[];
}

/** One session window `[start, end)` of a key and its accumulator. */
export interface Session {
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
  /** Its place in the queue's heap array (-1 when out of it). */
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
  private readonly queue = new SessionQueue();
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
    this.changedKeys?.set(owner.keyId, owner.key);
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
      // Queued at its maxTimestamp; fired at once below when that is behind the watermark.
      this.queue.push(session, end - 1);
    } else {
      session = sessions[first]!;
      const mergedEnd = Math.max(end, sessions[last - 1]!.end);
      const grows = start < session.start || mergedEnd > session.end;
      // As the general core: the first session keeps the contents and takes the others' in start order.
      for (let i = first + 1; i < last; i++) {
        const merged = sessions[i]!;
        session.accumulator = this.mergeAccumulators(session, merged);
        merged.gone = true;
      }
      session.start = Math.min(session.start, start);
      session.end = mergedEnd;
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
          this.queue.moveUp(session, session.end - 1);
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
    for (let session = queue.popDue(this.watermark); session !== undefined; session = queue.popDue(this.watermark)) {
      if (session.gone) continue;
      this.changedKeys?.set(session.owner.keyId, session.owner.key);
      const due = session.fired ? this.cleanupTime(session.end - 1) : session.end - 1;
      if (session.queuedAt < due) {
        // The session grew since it was queued: back in at its new time (still now, if that is behind).
        queue.push(session, due);
        continue;
      }
      if (!session.fired) {
        this.fire(new TimeWindow(session.start, session.end), session.owner.key, session.accumulator);
        session.fired = true;
        const cleanup = this.cleanupTime(session.end - 1);
        if (cleanup > this.watermark) {
          queue.push(session, cleanup);
          continue;
        }
      }
      this.remove(session);
    }
  }

  protected snapshot(key: unknown, keyId: string): WindowKeySnapshot | undefined {
    const owner = isObjectKey(key) ? this.objectKeys.get(keyId) : this.keys.get(key);
    if (owner === undefined) return undefined;
    const contents: WindowKeySnapshot['contents'] = [];
    const merging: Array<[string, string]> = [];
    const eventTimers: WindowKeySnapshot['eventTimers'] = [];
    for (const session of owner.sessions) {
      const id = new TimeWindow(session.start, session.end).id;
      contents.push([id, { accumulator: session.accumulator }]);
      merging.push([id, id]);
      eventTimers.push([id, this.timersOf(session.end - 1, session.fired)]);
    }
    return { key: owner.key, contents, triggerState: [], merging, eventTimers, processingTimers: [] };
  }

  restoreKeys(snapshots: Iterable<WindowKeySnapshot>, watermark: number): void {
    this.watermark = watermark;
    for (const snapshot of snapshots) {
      const owner = this.sessionsOf(snapshot.key);
      const contents = new Map(snapshot.contents);
      // Each session window and the state window holding its accumulator (the general core renames on merges).
      for (const [id, stateId] of snapshot.merging ?? snapshot.contents.map(([contentsId]): [string, string] => [contentsId, contentsId])) {
        const window = windowFromId(this.name, id) as TimeWindow;
        const accumulator = (contents.get(stateId) as { accumulator: unknown } | undefined)?.accumulator;
        const fired = window.maxTimestamp <= watermark;
        const session: Session = { start: window.start, end: window.end, accumulator, owner, gone: false, fired, queuedAt: 0, heapIndex: -1 };
        owner.sessions.push(session);
        this.sessionCount++;
        this.queue.push(session, fired ? this.cleanupTime(window.maxTimestamp) : window.maxTimestamp);
      }
      owner.sessions.sort((a, b) => a.start - b.start);
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

  private mergeAccumulators(target: Session, source: Session): unknown {
    try {
      return this.aggregate.merge(target.accumulator, source.accumulator);
    } catch (error) {
      throw windowFunctionFailure(this.name, new TimeWindow(Math.min(target.start, source.start), Math.max(target.end, source.end)), error);
    }
  }
}
