import v8 from 'node:v8';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { END_OF_STREAM, SinkFunction, SourceFunction } from '../api/functions.js';
import { LocalEnvironment } from '../api/local-environment.js';

const RECORDS = 1_000_000;

/** A full collection before each heap reading, so the readings show live memory, not garbage. */
function collectGarbage(): void {
  v8.setFlagsFromString('--expose-gc');
  (vm.runInNewContext('gc') as () => void)();
}

describe('backpressure', () => {
  it('a fast source with a slow sink keeps memory flat over 1M records', async () => {
    class FastSource extends SourceFunction<{ id: number; payload: string }> {
      private n = 0;
      execute() {
        if (this.n === RECORDS) return END_OF_STREAM;
        const id = this.n++;
        // ~250 bytes per record: 1M unconsumed records would hold about 250 MB.
        return { id, payload: `${'x'.repeat(240)}${id}` };
      }
    }
    class SlowSink extends SinkFunction<{ id: number }> {
      count = 0;
      peakHeap = 0;
      async execute(record: { id: number }) {
        this.count++;
        if (record.id % 512 === 0) await new Promise<void>((resolve) => setImmediate(resolve));
        if (record.id % 65_536 === 0) {
          collectGarbage();
          this.peakHeap = Math.max(this.peakHeap, process.memoryUsage().heapUsed);
        }
      }
      close() {
        results.count = this.count;
        results.peakHeap = this.peakHeap;
      }
    }
    const results = { count: 0, peakHeap: 0 };
    collectGarbage();
    const baseline = process.memoryUsage().heapUsed;
    const env = new LocalEnvironment('backpressure', { logLevel: 'silent', handleSignals: false });
    env.fromSource(FastSource).map((r) => r).sink(SlowSink);
    await env.submit({ autostop: true });
    expect(results.count).toBe(RECORDS);
    const growthMb = (results.peakHeap - baseline) / 2 ** 20;
    // Two bounded channels of 16 batches x 1024 records hold about 8 MB of records (unbounded: over 300 MB).
    expect(growthMb).toBeLessThan(40);
  }, 60_000);
});
