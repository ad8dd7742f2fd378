import { describe, expect, it } from 'vitest';
import { BatchFunction } from '../../api/functions.js';
import { LocalEnvironment } from '../../api/local-environment.js';

const quiet = { logLevel: 'silent' as const, handleSignals: false };

describe('a source hands on a partly filled batch', () => {
  it('as soon as it waits for its next record, not after lingerMs (a source that waits for the sink to see each record ends)', async () => {
    // The source produces record n only after the sink has received record n - 1: holding a batch back until
    // the linger timer (a minute here) would stall the job for a minute per record.
    const seen: number[] = [];
    let delivered: (() => void) | undefined;
    class Handshake extends BatchFunction<number> {
      private next = 0;
      async execute(): Promise<number | undefined> {
        if (this.next === 20) return undefined;
        if (this.next > 0 && seen.length < this.next) await new Promise<void>((resolve) => (delivered = resolve));
        return this.next++;
      }
    }
    const env = new LocalEnvironment('handshake', { ...quiet, lingerMs: 60_000 });
    env.fromBatch(Handshake).sink((n: number) => {
      seen.push(n);
      delivered?.();
    });
    const result = await env.submit({ autostop: true });
    expect(seen).toEqual(Array.from({ length: 20 }, (_, n) => n));
    expect(result.operators.sink_1!.batchesIn).toBe(20);
  });

  it('keeps filling the next batch while a hand-over waits on a full channel (records still go in batches)', async () => {
    const count = 5_000;
    class Ticks extends BatchFunction<number> {
      private next = 0;
      async execute(): Promise<number | undefined> {
        if (this.next === count) return undefined;
        // Every record takes a turn of the event loop, as a source reading a socket would.
        await new Promise((resolve) => setImmediate(resolve));
        return this.next++;
      }
    }
    const received: number[] = [];
    const env = new LocalEnvironment('ticks', { ...quiet, channelCapacity: 1 });
    env.fromBatch(Ticks).sink(async (n: number) => {
      received.push(n);
      if (n % 50 === 0) await new Promise((resolve) => setTimeout(resolve, 1));
    });
    const result = await env.submit({ autostop: true });
    expect(received).toEqual(Array.from({ length: count }, (_, n) => n));
    // One batch per record would mean a hand-over per event-loop turn regardless of the one in flight.
    expect(result.operators.sink_1!.batchesIn).toBeLessThan(count / 4);
  });

  it('after lingerMs when the source never lets the event loop turn, and not before', async () => {
    // Every pull resolves in a microtask and moves a virtual clock on by 1 ms: the idle check (a turn of the
    // event loop) never finds the source waiting, so only the linger timer hands the records on.
    const scheduled: Array<{ at: number; callback: () => void }> = [];
    let now = 0;
    const clock = {
      now: () => now,
      schedule(ms: number, callback: () => void) {
        const entry = { at: now + ms, callback };
        scheduled.push(entry);
        return () => scheduled.splice(scheduled.indexOf(entry) >>> 0, 1);
      },
    };
    const advance = () => {
      now++;
      for (const entry of scheduled.filter((candidate) => candidate.at <= now)) {
        scheduled.splice(scheduled.indexOf(entry), 1);
        entry.callback();
      }
    };
    const firstSeenAt: number[] = [];
    class Busy extends BatchFunction<number> {
      private next = 0;
      async execute(): Promise<number | undefined> {
        if (this.next === 100) return undefined;
        await Promise.resolve();
        advance();
        return this.next++;
      }
    }
    const env = new LocalEnvironment('busy', { ...quiet, clock, lingerMs: 10, batchSize: 1_000 });
    env.fromBatch(Busy).sink((n: number) => {
      if (firstSeenAt.length === 0) firstSeenAt.push(now, n);
    });
    await env.submit({ autostop: true });
    const [seenAt] = firstSeenAt;
    expect(seenAt).toBeGreaterThanOrEqual(10);
    expect(seenAt).toBeLessThan(20);
  });
});
