import { describe, expect, it } from 'vitest';
import { LocalEnvironment } from '../api/local-environment.js';
import { BaseCoMapFunction, BaseJoinFunction, MapFunction } from '../api/functions.js';
import { collect } from '../testing/collect.js';

const quiet = { logLevel: 'silent' as const, handleSignals: false };
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

function counts<T>(items: readonly T[]): Map<T, number> {
  const map = new Map<T, number>();
  for (const item of items) map.set(item, (map.get(item) ?? 0) + 1);
  return map;
}

describe('exactly once with parallel upstreams', () => {
  it('10,000 records through map(p=4) -> keyBy -> map(p=3) -> sink(p=2) arrive exactly once', async () => {
    const env = new LocalEnvironment('exactly-once', { ...quiet, batchSize: 64 });
    const out = collect(
      env
        .fromBatch(range(10_000))
        .map((n) => n * 2, { parallelism: 4 })
        .keyBy((n) => n % 97)
        .map((n) => n + 1, { parallelism: 3 }),
      { parallelism: 2 },
    );
    const result = await env.submit({ autostop: true });
    expect(out).toHaveLength(10_000);
    expect(new Set(out).size).toBe(10_000);
    expect([...out].sort((a, b) => a - b)).toEqual(range(10_000).map((n) => n * 2 + 1));
    expect(result.status).toBe('finished');
    expect(result.operators.map_1!.parallelism).toBe(4);
    expect(result.operators.map_1!.recordsIn).toBe(10_000);
    expect(result.operators.map_2!.recordsIn).toBe(10_000);
  });

  it('a parallel source splits an array so each element is emitted once', async () => {
    const env = new LocalEnvironment('parallel-source', { ...quiet, batchSize: 16 });
    const out = collect(env.fromBatch(range(1000), { parallelism: 3 }).map((n) => n, { parallelism: 2 }));
    await env.submit({ autostop: true });
    expect([...out].sort((a, b) => a - b)).toEqual(range(1000));
  });

  it('connect + coMap over parallel inputs loses and duplicates nothing', async () => {
    class Tag extends BaseCoMapFunction<string> {
      map0(n: number) {
        return `a${n}`;
      }
      map1(n: number) {
        return `b${n}`;
      }
    }
    const env = new LocalEnvironment('comap-once', { ...quiet, batchSize: 32 });
    const left = env.fromBatch(range(5000)).map((n) => n, { parallelism: 3 });
    const right = env.fromBatch(range(5000)).map((n) => n, { parallelism: 2 });
    const out = collect(left.connect(right).coMap(Tag, {}, { parallelism: 4 }), { parallelism: 2 });
    await env.submit({ autostop: true });
    expect(out).toHaveLength(10_000);
    expect(new Set(out).size).toBe(10_000);
  });

  it('keyed join over parallel inputs sees every record of both sides exactly once', async () => {
    class PairUp extends BaseJoinFunction<string, number> {
      execute(payload: { side: string; n: number }, key: number, tag: number) {
        const seen = this.ctx.state.list<string>('seen');
        seen.add(`${tag}:${payload.n}`);
        if (seen.get().length === 2) return [`${key}:${[...seen.get()].sort().join('|')}`];
        return undefined;
      }
    }
    const env = new LocalEnvironment('join-once', { ...quiet, batchSize: 50 });
    const left = env
      .fromBatch(range(3000).map((n) => ({ side: 'l', n })))
      .map((r) => r, { parallelism: 3 })
      .keyBy((r) => r.n);
    const right = env
      .fromBatch(range(3000).map((n) => ({ side: 'r', n })))
      .map((r) => r, { parallelism: 2 })
      .keyBy((r) => r.n);
    const out = collect(left.connect(right).join(PairUp, {}, { parallelism: 4 }));
    await env.submit({ autostop: true });
    expect(out).toHaveLength(3000);
    expect(new Set(out).size).toBe(3000);
    expect(out).toContain('7:0:7|1:7');
  });

  it('union map over connected streams passes every record once', async () => {
    const env = new LocalEnvironment('union', quiet);
    const a = env.fromBatch(['a1', 'a2']);
    const b = env.fromBatch(['b1']);
    const c = env.fromBatch(['c1', 'c2', 'c3']);
    const out = collect(a.connect(b, c).map((s: string) => s.toUpperCase()));
    await env.submit({ autostop: true });
    expect([...out].sort()).toEqual(['A1', 'A2', 'B1', 'C1', 'C2', 'C3']);
  });
});

describe('order', () => {
  it('is kept along a chain of parallelism 1', async () => {
    const env = new LocalEnvironment('order', { ...quiet, batchSize: 7 });
    const out = collect(
      env
        .fromBatch(range(5000))
        .map((n) => n + 1)
        .filter((n) => n % 3 !== 0)
        .flatMap((n) => [n, -n]),
    );
    await env.submit({ autostop: true });
    const expected = range(5000)
      .map((n) => n + 1)
      .filter((n) => n % 3 !== 0)
      .flatMap((n) => [n, -n]);
    expect(out).toEqual(expected);
  });

  it('is kept per key through a parallel keyed operator', async () => {
    class Sequence extends MapFunction<{ key: number; seq: number }, { key: number; seq: number }> {
      execute(record: { key: number; seq: number }) {
        const last = this.ctx.state.value<number>('last', -1);
        if (record.seq <= last.get()!) throw new Error(`out of order for key ${record.key}`);
        last.set(record.seq);
        return record;
      }
    }
    const records = range(20_000).map((i) => ({ key: i % 13, seq: i }));
    const env = new LocalEnvironment('key-order', { ...quiet, batchSize: 32 });
    const out = collect(
      env
        .fromBatch(records)
        .keyBy((r) => r.key)
        .map(Sequence, {}, { parallelism: 4 }),
    );
    await env.submit({ autostop: true });
    expect(out).toHaveLength(20_000);
    for (let key = 0; key < 13; key++) {
      const seqs = out.filter((r) => r.key === key).map((r) => r.seq);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    }
  });
});

describe('keyBy', () => {
  it('treats falsy keys (0, "", false) as real keys with their own state', async () => {
    class CountPerKey extends MapFunction<unknown, string> {
      execute(_record: unknown) {
        const count = this.ctx.state.value<number>('count', 0);
        count.set(count.get()! + 1);
        return `${JSON.stringify(this.ctx.getKey())}=${count.get()}`;
      }
    }
    const env = new LocalEnvironment('falsy', quiet);
    const out = collect(
      env
        .fromBatch([0, '', false, 0, '', 0, null])
        .keyBy((r) => r)
        .map(CountPerKey),
    );
    await env.submit({ autostop: true });
    expect(out).toEqual(['0=1', '""=1', 'false=1', '0=2', '""=2', '0=3', 'null=1']);
  });

  it('sends each key to a single instance, the same one for every record of that key', async () => {
    class WhereAmI extends MapFunction<string, string> {
      execute(k: string) {
        return `${k}@${this.ctx.parallelIndex}`;
      }
    }
    const env2 = new LocalEnvironment('key-placement-2', quiet);
    const placed = collect(
      env2
        .fromBatch(range(2000).map((i) => `k${i % 50}`))
        .keyBy((k) => k)
        .map(WhereAmI, {}, { parallelism: 4 }),
    );
    await env2.submit({ autostop: true });
    const instancesPerKey = new Map<string, Set<string>>();
    for (const entry of placed) {
      const [key, instance] = entry.split('@') as [string, string];
      instancesPerKey.set(key, (instancesPerKey.get(key) ?? new Set()).add(instance));
    }
    expect(instancesPerKey.size).toBe(50);
    for (const instances of instancesPerKey.values()) expect(instances.size).toBe(1);
    expect(new Set(placed.map((p) => p.split('@')[1])).size).toBeGreaterThan(1);
  });

  it('broadcast sends every record to every instance; roundRobin spreads them', async () => {
    class Instance extends MapFunction<number, string> {
      execute(n: number) {
        return `${n}@${this.ctx.parallelIndex}`;
      }
    }
    const env = new LocalEnvironment('strategies', quiet);
    const broadcast = collect(env.fromBatch(range(10)).keyBy((n) => n, { strategy: 'broadcast' }).map(Instance, {}, { parallelism: 3 }));
    const spread = collect(env.fromBatch(range(30)).keyBy((n) => n % 2, { strategy: 'roundRobin' }).map(Instance, {}, { parallelism: 3 }));
    await env.submit({ autostop: true });
    expect(broadcast).toHaveLength(30);
    expect(counts(broadcast.map((s) => s.split('@')[0])).get('4')).toBe(3);
    expect(spread).toHaveLength(30);
    expect(counts(spread.map((s) => s.split('@')[1])).size).toBe(3);
  });
});
