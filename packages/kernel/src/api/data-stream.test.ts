import { describe, expect, it } from 'vitest';
import { collect } from '../testing/collect.js';
import { runOperator } from '../testing/operator-harness.js';
import { BatchFunction, FlatMapFunction, KeyByFunction, MapFunction, SinkFunction } from './functions.js';
import { LocalEnvironment } from './local-environment.js';

const quiet = { logLevel: 'silent' as const, handleSignals: false };

describe('DataStream call shapes', () => {
  it('accept generic function classes with their config (typed from the class)', async () => {
    class Wrap<V> extends MapFunction<V, { value: V; tag: string }, { tag: string }> {
      execute(value: V) {
        return { value, tag: this.config.tag };
      }
    }
    class Pairs<V> extends FlatMapFunction<V, [V, V]> {
      execute(value: V) {
        this.collect([value, value]);
        return undefined;
      }
    }
    class Initial extends KeyByFunction<{ value: unknown }, string> {
      execute(record: { value: unknown }) {
        return String(record.value)[0]!;
      }
    }
    const env = new LocalEnvironment('generics', quiet);
    const wrapped = env.fromBatch(['ab', 'cd']).map(Wrap, { tag: 't' });
    const keyed = wrapped.keyBy(Initial).map((record) => `${record.tag}:${record.value}`);
    const pairs = collect(env.fromBatch([1, 2]).flatMap(Pairs));
    const out = collect(keyed);
    await env.submit({ autostop: true });
    expect(out).toEqual(['t:ab', 't:cd']);
    expect(pairs).toEqual([
      [1, 1],
      [2, 2],
    ]);
  });

  it('a sink exposes the records it skipped as dead letters', async () => {
    class Picky extends SinkFunction<number> {
      execute(n: number) {
        if (n < 0) throw new Error(`negative ${n}`);
      }
    }
    const { deadLetters, metrics } = await runOperator('sink', Picky, { records: [1, -2, 3, -4], options: { onError: 'skip' } });
    expect(metrics.skipped).toBe(2);
    expect(deadLetters.map((letter) => letter.record)).toEqual([-2, -4]);
    expect(deadLetters[0]!.error.message).toBe('negative -2');
  });

  it('flatMap with a plain function may collect and return records', async () => {
    const { output } = await runOperator('flatMap', (s: string, collect: (x: string) => void) => {
      collect(`${s}!`);
      return [s, s];
    }, { records: ['a', 'b'] });
    expect(output).toEqual(['a!', 'a', 'a', 'b!', 'b', 'b']);
  });

  it('flatMap refuses a string result (a common slip for split)', async () => {
    const failure = await runOperator('flatMap', (s: string) => s as never, { records: ['abc'] }).catch((e: Error) => e);
    expect((failure as Error).message).toMatch(/must return an iterable \(not a string\)/);
  });
});

describe('sources under failure and stop', () => {
  it('an async source that rejects fails the job without a stray error afterwards', async () => {
    class FailsOnThird extends BatchFunction<number> {
      private count = 0;
      async execute() {
        this.count++;
        await new Promise((resolve) => setTimeout(resolve, 2));
        if (this.count === 3) throw new Error('bad record 3');
        return this.count;
      }
    }
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown) => uncaught.push(error);
    process.on('uncaughtException', onUncaught);
    try {
      const env = new LocalEnvironment('rejecting-source', { ...quiet, lingerMs: 1 });
      env.fromBatch(FailsOnThird).sink(() => {});
      await expect(env.submit({ autostop: true })).rejects.toThrow('bad record 3');
      await new Promise((resolve) => setTimeout(resolve, 30));
      expect(uncaught).toEqual([]);
    } finally {
      process.off('uncaughtException', onUncaught);
    }
  });

  it('stop() ends a job reading a large array without waiting for all of it', async () => {
    const records = Array.from({ length: 3_000_000 }, (_, i) => i);
    let seen = 0;
    const env = new LocalEnvironment('big-array', quiet);
    env.fromBatch(records).sink(async (n: number) => {
      seen++;
      if (n % 1000 === 0) await new Promise<void>((resolve) => setImmediate(resolve));
    });
    await env.submit();
    await new Promise((resolve) => setTimeout(resolve, 20));
    const result = await env.stop();
    expect(result?.status).toBe('stopped');
    expect(seen).toBeLessThan(records.length);
    expect(result?.operators.sink_1?.recordsIn).toBe(seen);
  });
});
