import { ServiceTimeoutError } from '@sage/common';
import { BaseService, LocalEnvironment, MapFunction } from '@sage/kernel';
import { collect } from '@sage/kernel/testing';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { KeyValueService } from './key-value-service.js';
import { type ServiceCaller, type ServiceProxy, serviceProxy } from './service-proxy.js';

const quiet = { logLevel: 'silent' as const, handleSignals: false };

class Slow extends BaseService {
  async wait(ms: number): Promise<string> {
    await new Promise((resolve) => setTimeout(resolve, ms));
    return `waited ${ms}`;
  }
}

describe('serviceProxy', () => {
  it('turns method calls into callService calls with the method, the arguments and the timeout', async () => {
    const calls: unknown[] = [];
    const caller: ServiceCaller = {
      callService: async <R>(name: string, options?: object) => {
        calls.push({ name, ...options });
        return 7 as R;
      },
    };
    const store = serviceProxy<KeyValueService>(caller, 'kv', { timeout: 250 });
    expect(await store.get('a')).toBe(7);
    await store.set('b', 2);
    expect(calls).toEqual([
      { name: 'kv', method: 'get', args: ['a'], timeout: 250 },
      { name: 'kv', method: 'set', args: ['b', 2], timeout: 250 },
    ]);
    expect(store.get).toBe(store.get);
  });

  it('can be awaited without calling the service', async () => {
    const caller: ServiceCaller = { callService: () => Promise.reject(new Error('no call expected')) };
    const store = serviceProxy<KeyValueService>(caller, 'kv');
    expect(await store).toBe(store);
  });

  it('types each method as a promise of its result, without the BaseService members', () => {
    type Store = ServiceProxy<KeyValueService>;
    expectTypeOf<Store['get']>().toEqualTypeOf<(key: string) => Promise<unknown>>();
    expectTypeOf<Store['set']>().toEqualTypeOf<(key: string, value: unknown) => Promise<void>>();
    expectTypeOf<Store['keys']>().toEqualTypeOf<() => Promise<string[]>>();
    expectTypeOf<keyof Store>().toEqualTypeOf<'get' | 'set' | 'delete' | 'keys' | 'process'>();
    expectTypeOf<ServiceProxy<Slow>['wait']>().toEqualTypeOf<(ms: number) => Promise<string>>();
  });

  it('calls a registered service from a function, and times out like callService', async () => {
    class Counter extends MapFunction<string, number> {
      private readonly store = serviceProxy<KeyValueService>(this, 'kv');
      async execute(word: string) {
        const count = (((await this.store.get(word)) as number | undefined) ?? 0) + 1;
        await this.store.set(word, count);
        return count;
      }
    }
    class Waiter extends MapFunction<number, string> {
      private readonly slow = serviceProxy<Slow>(this, 'slow', { timeout: 20 });
      execute(ms: number) {
        return this.slow.wait(ms);
      }
    }
    const env = new LocalEnvironment('proxy', quiet);
    env.registerService('kv', KeyValueService).registerService('slow', Slow);
    const counts = collect(env.fromBatch(['a', 'b', 'a', 'a']).map(Counter));
    const waited = env.fromBatch([1, 200]).map(Waiter, undefined, { onError: 'skip' });
    const answers = collect(waited);
    const failures = collect(waited.deadLetters());
    await env.submit({ autostop: true });
    expect(counts).toEqual([1, 1, 2, 3]);
    expect(answers).toEqual(['waited 1']);
    expect(failures.map((letter) => letter.error.name)).toEqual([new ServiceTimeoutError('slow', 'wait', 20).name]);
  });
});
