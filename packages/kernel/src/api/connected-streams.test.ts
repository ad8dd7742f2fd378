import { PipelineError, ValidationError } from '@sage/common';
import { describe, expect, it } from 'vitest';
import { collect } from '../testing/collect.js';
import { BaseCoMapFunction, BaseJoinFunction } from './functions.js';
import { LocalEnvironment } from './local-environment.js';

const quiet = { logLevel: 'silent' as const, handleSignals: false };

describe('ConnectedStreams', () => {
  it('coMap requires a real mapN for every connected stream', () => {
    class OnlyFirst extends BaseCoMapFunction<string> {
      map0(s: string) {
        return s;
      }
    }
    const env = new LocalEnvironment('comap-check', quiet);
    const connected = env.fromBatch(['a']).connect(env.fromBatch(['b']), env.fromBatch(['c']));
    expect(() => connected.coMap(OnlyFirst)).toThrow(ValidationError);
    expect(() => connected.coMap(OnlyFirst)).toThrow(/OnlyFirst must define map1, map2/);
  });

  it('coMap sends each stream to its own method and drops undefined results', async () => {
    class Label extends BaseCoMapFunction<string> {
      map0(n: number) {
        return `number ${n}`;
      }
      map1(s: string) {
        return s === 'skip' ? undefined : `text ${s}`;
      }
    }
    const env = new LocalEnvironment('comap', quiet);
    const out = collect(env.fromBatch([1, 2]).connect(env.fromBatch(['x', 'skip'])).coMap(Label));
    await env.submit({ autostop: true });
    expect([...out].sort()).toEqual(['number 1', 'number 2', 'text x']);
  });

  it('join needs exactly two keyed streams', () => {
    class Pair extends BaseJoinFunction {
      execute() {
        return undefined;
      }
    }
    const env = new LocalEnvironment('join-check', quiet);
    const keyed = env.fromBatch([1]).keyBy((n) => n);
    const plain = env.fromBatch([2]);
    expect(() => keyed.connect(plain).join(Pair)).toThrow(PipelineError);
    expect(() => keyed.connect(plain).join(Pair)).toThrow(/call keyBy\(\) on "collection_2"/);
    expect(() => keyed.connect(keyed, keyed).join(Pair)).toThrow(/exactly two connected streams, got 3/);
  });

  it('join passes payload, key and tag, and keyed state is shared by both sides of a key', async () => {
    class Enrich extends BaseJoinFunction<string, number> {
      execute(payload: { id: number; name?: string; amount?: number }, key: number, tag: number) {
        const name = this.ctx.state.value<string>('name');
        const pending = this.ctx.state.list<number>('pending');
        if (tag === 0) {
          name.set(payload.name!);
          const ready = pending.get().map((amount) => `${payload.name} paid ${amount} (user ${key})`);
          pending.clear();
          return ready;
        }
        if (name.get() === undefined) {
          pending.add(payload.amount!);
          return undefined;
        }
        return [`${name.get()} paid ${payload.amount} (user ${key})`];
      }
    }
    const env = new LocalEnvironment('join', quiet);
    const users = env.fromBatch([
      { id: 1, name: 'ada' },
      { id: 2, name: 'alan' },
    ]);
    const payments = env.fromBatch([
      { id: 1, amount: 5 },
      { id: 2, amount: 7 },
      { id: 1, amount: 9 },
    ]);
    const out = collect(
      users
        .keyBy((u) => u.id)
        .connect(payments.keyBy((p) => p.id))
        .join(Enrich, {}, { parallelism: 2 }),
    );
    await env.submit({ autostop: true });
    expect([...out].sort()).toEqual(['ada paid 5 (user 1)', 'ada paid 9 (user 1)', 'alan paid 7 (user 2)']);
  });
});
