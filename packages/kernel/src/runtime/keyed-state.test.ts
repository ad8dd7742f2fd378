import { PipelineError } from '@sage/common';
import { describe, expect, it } from 'vitest';
import { MapFunction } from '../api/functions.js';
import { runOperator } from '../testing/operator-harness.js';
import { KeyedStateBackend } from './keyed-state.js';

describe('KeyedStateBackend', () => {
  it('scopes value, list and map state to the current key', () => {
    const state = new KeyedStateBackend('op');
    state.keyed = true;
    state.currentKey = 'a';
    state.value<number>('n', 0).set(1);
    state.list<string>('l').add('x');
    state.map<string, number>('m').set('k', 7);
    state.currentKey = 'b';
    expect(state.value<number>('n', 0).get()).toBe(0);
    expect(state.list<string>('l').get()).toEqual([]);
    expect(state.map<string, number>('m').has('k')).toBe(false);
    state.currentKey = 'a';
    expect(state.value<number>('n').get()).toBe(1);
    expect(state.list<string>('l').get()).toEqual(['x']);
    expect([...state.map<string, number>('m').entries()]).toEqual([['k', 7]]);
    state.value('n').clear();
    expect(state.value('n').get()).toBeUndefined();
    expect(state.keyCount).toBe(2);
  });

  it('binds a handle to the key current when it was taken', () => {
    const state = new KeyedStateBackend('op');
    state.keyed = true;
    state.currentKey = 1;
    const handle = state.value<string>('v');
    state.currentKey = 2;
    handle.set('for key 1');
    state.currentKey = 1;
    expect(state.value<string>('v').get()).toBe('for key 1');
  });

  it('gives equal object keys the same state and keeps 1 and "1" apart', () => {
    const state = new KeyedStateBackend('op');
    state.keyed = true;
    state.currentKey = { b: 2, a: 1 };
    state.value('v').set('obj');
    state.currentKey = { a: 1, b: 2 };
    expect(state.value('v').get()).toBe('obj');
    state.currentKey = 1;
    state.value('v').set('number');
    state.currentKey = '1';
    expect(state.value('v').get()).toBeUndefined();
  });

  it('refuses state on an operator whose input is not keyed', async () => {
    class Stateful extends MapFunction {
      execute(n: number) {
        return this.ctx.state.value('x').get() ?? n;
      }
    }
    const failure = await runOperator('map', Stateful, { records: [1] }).catch((error: Error) => error);
    expect((failure as Error & { cause: unknown }).cause).toBeInstanceOf(PipelineError);
    expect((failure as Error).message).toContain('call keyBy() first');
  });

  it('keeps each record on its own key across awaits with concurrency > 1', async () => {
    class Claim extends MapFunction<{ k: string; delay: number }, string | undefined> {
      async execute(record: { k: string; delay: number }) {
        const owner = this.ctx.state.value<string>('owner');
        if (record.delay < 0) return `${record.k}=${owner.get()}`;
        // Later records start while this one waits: the handle must still point at this record's key.
        for (let i = 0; i < record.delay; i++) await new Promise<void>((resolve) => setImmediate(resolve));
        owner.set(record.k);
        return undefined;
      }
    }
    const keys = ['a', 'b', 'c', 'd'];
    const records = [
      ...keys.map((k, i) => ({ k, delay: 8 - 2 * i })),
      ...keys.map((k) => ({ k, delay: -1 })), // a second batch reads what the first wrote
    ];
    const { output } = await runOperator('map', Claim, {
      records,
      keyBy: (r: { k: string }) => r.k,
      options: { concurrency: 4 },
      environment: { batchSize: 4 },
    });
    expect(output).toEqual(['a=a', 'b=b', 'c=c', 'd=d']);
  });

  it('keyed state works through the harness with keyBy', async () => {
    class RunningSum extends MapFunction<{ k: string; v: number }, string> {
      execute(record: { k: string; v: number }) {
        const sum = this.ctx.state.value<number>('sum', 0);
        sum.set(sum.get()! + record.v);
        return `${this.ctx.getKey()}:${sum.get()}`;
      }
    }
    const { output } = await runOperator('map', RunningSum, {
      records: [
        { k: 'a', v: 1 },
        { k: 'b', v: 10 },
        { k: 'a', v: 2 },
      ],
      keyBy: (r: { k: string }) => r.k,
    });
    expect(output).toEqual(['a:1', 'b:10', 'a:3']);
  });
});
