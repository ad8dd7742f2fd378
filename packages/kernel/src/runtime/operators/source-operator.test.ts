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
});
