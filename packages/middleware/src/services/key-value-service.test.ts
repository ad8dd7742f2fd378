import { ValidationError } from '@sage/common';
import { LocalEnvironment, MapFunction } from '@sage/kernel';
import { collect } from '@sage/kernel/testing';
import { describe, expect, it } from 'vitest';
import { KeyValueService } from './key-value-service.js';

const quiet = { logLevel: 'silent' as const, handleSignals: false };

describe('KeyValueService', () => {
  it('gets, sets, deletes and lists keys', () => {
    const store = new KeyValueService({ initial: { a: 1 } });
    expect(store.get('a')).toBe(1);
    expect(store.get('b')).toBeUndefined();
    store.set('b', 2);
    store.set('a', 10);
    expect(store.keys()).toEqual(['a', 'b']);
    expect(store.delete('a')).toBe(true);
    expect(store.delete('a')).toBe(false);
    expect(store.keys()).toEqual(['b']);
    expect(store.process('b')).toBe(2);
  });

  it('rejects keys that are not strings and a bad initial option', () => {
    const store = new KeyValueService();
    expect(() => store.get(1 as never)).toThrow(ValidationError);
    expect(() => store.set(1 as never, 'x')).toThrow('key must be a string, got 1');
    expect(() => new KeyValueService({ initial: [1] as never })).toThrow(
      'KeyValueService: option "initial" must be an object of entries, got [1]',
    );
  });

  it('is shared by every operator instance of a job through callService', async () => {
    class Remember extends MapFunction<number, number> {
      async execute(value: number) {
        await this.callService('kv', { method: 'set', args: [`n${value}`, value * value] });
        return value;
      }
    }
    class Lookup extends MapFunction<number, number> {
      execute(value: number) {
        return this.callService<number>('kv', { args: [`n${value}`] });
      }
    }
    const env = new LocalEnvironment('kv-shared', quiet);
    env.registerService('kv', KeyValueService, { initial: { seed: 0 } });
    const squares = collect(
      env
        .fromBatch([1, 2, 3, 4, 5, 6])
        .map(Remember, undefined, { parallelism: 3 })
        .map(Lookup, undefined, { parallelism: 2 }),
    );
    await env.submit({ autostop: true });
    expect([...squares].sort((a, b) => a - b)).toEqual([1, 4, 9, 16, 25, 36]);
  });
});
