import { OperatorError, ValidationError } from '@sage/common';
import { describe, expect, it } from 'vitest';
import { MapFunction } from '../api/functions.js';
import { LocalEnvironment } from '../api/local-environment.js';
import { collect } from '../testing/collect.js';
import { VirtualClock } from '../testing/virtual-clock.js';
import { RestartStrategy } from './restart-strategy.js';

const quiet = { logLevel: 'silent' as const, handleSignals: false };
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Fails on `failOn` the first `failures` times it is called with it, over all instances; counts lifecycles. */
function flaky(options: { failOn: number; failures: number }) {
  const log = { created: 0, opened: 0, closed: 0, failed: 0 };
  class Flaky extends MapFunction<number, number> {
    constructor(config?: unknown) {
      super(config);
      log.created++;
    }
    override open() {
      log.opened++;
    }
    override execute(value: number): number {
      if (value === options.failOn && log.failed < options.failures) {
        log.failed++;
        throw new Error(`flaky on ${value}`);
      }
      return value * 10;
    }
    override close() {
      log.closed++;
    }
  }
  return { Flaky, log };
}

const range = (count: number) => Array.from({ length: count }, (_, index) => index);

describe('restart strategies in a local job', () => {
  it('restart a function that fails twice: the job finishes, every record once, restarts = 2, fresh instances', async () => {
    const { Flaky, log } = flaky({ failOn: 37, failures: 2 });
    const env = new LocalEnvironment('restart', { ...quiet, batchSize: 16 });
    env.setRestartStrategy(RestartStrategy.fixedDelay({ attempts: 3, delayMs: 0 }));
    const out = collect(env.fromBatch(range(100)).map(Flaky, {}, { name: 'flaky' }));
    const result = await env.submit({ autostop: true });
    expect(result.status).toBe('finished');
    expect(out).toEqual(range(100).map((value) => value * 10));
    expect(result.operators.flaky).toMatchObject({ restarts: 2, errors: 2, recordsIn: 100, recordsOut: 100, batchesIn: 7 });
    // Each restart closes the failed instance and opens a new one; the last is closed at the end.
    expect(log).toEqual({ created: 3, opened: 3, closed: 3, failed: 2 });
  });

  it('keep keyed state across a restart', async () => {
    let failures = 0;
    class CountPerKey extends MapFunction<{ key: string; id: number }, string> {
      override execute(record: { key: string; id: number }): string {
        const count = this.ctx.state.value<number>('count', 0);
        count.set(count.get()! + 1);
        if (record.id === 50 && failures++ < 1) throw new Error('once');
        return `${record.key}:${count.get()}`;
      }
    }
    const env = new LocalEnvironment('keyed-restart', { ...quiet, batchSize: 8 });
    env.setRestartStrategy(RestartStrategy.exponentialBackoff({ initialDelayMs: 1, multiplier: 2, maxDelayMs: 4, attempts: 2 }));
    const records = range(90).map((id) => ({ key: `k${id % 3}`, id }));
    const out = collect(env.fromBatch(records).keyBy((record) => record.key).map(CountPerKey, {}, { name: 'count' }));
    const result = await env.submit({ autostop: true });
    expect(result.operators.count!.restarts).toBe(1);
    // The state change the failed call made before throwing stays (state is not rolled back): record 50's key
    // counts it twice, as documented; the other keys count exactly.
    const last = (key: string) => out.filter((line) => line.startsWith(`${key}:`)).at(-1);
    expect(out).toHaveLength(90);
    expect([last('k0'), last('k1'), last('k2')]).toEqual(['k0:30', 'k1:30', 'k2:31']);
  });

  it('wait the strategy\'s delay on the job\'s clock before restarting', async () => {
    const clock = new VirtualClock();
    const { Flaky, log } = flaky({ failOn: 3, failures: 1 });
    const env = new LocalEnvironment('delayed-restart', { ...quiet, clock, batchSize: 4 });
    const out = collect(env.fromBatch(range(8)).map(Flaky, {}, { name: 'flaky', restart: RestartStrategy.fixedDelay({ attempts: 1, delayMs: 1_000 }) }));
    let done = false;
    const job = env.submit({ autostop: true }).finally(() => (done = true));
    for (let i = 0; i < 20; i++) await tick();
    expect(log.failed).toBe(1);
    expect(log.created).toBe(1);
    clock.advance(999);
    for (let i = 0; i < 20; i++) await tick();
    expect(log.created).toBe(1);
    expect(done).toBe(false);
    clock.advance(1);
    await job;
    expect(log.created).toBe(2);
    expect(out).toEqual(range(8).map((value) => value * 10));
  });

  it('fail the job with the OperatorError naming the operator when the attempts are used up', async () => {
    const { Flaky, log } = flaky({ failOn: 5, failures: 10 });
    const env = new LocalEnvironment('exhausted', quiet);
    env.setRestartStrategy(RestartStrategy.fixedDelay({ attempts: 2, delayMs: 0 }));
    collect(env.fromBatch(range(10)).map(Flaky, {}, { name: 'flaky' }));
    const error = await env.submit({ autostop: true }).then(
      () => undefined,
      (failure: unknown) => failure,
    );
    expect(error).toBeInstanceOf(OperatorError);
    expect((error as OperatorError).operator).toBe('flaky');
    expect((error as Error).message).toBe('operator "flaky" failed on record 5: flaky on 5');
    expect(log.failed).toBe(3);
    expect(log.created).toBe(3);
  });

  it('let an operator\'s restart option override the job\'s strategy', async () => {
    const strict = flaky({ failOn: 2, failures: 1 });
    const env = new LocalEnvironment('override', quiet);
    env.setRestartStrategy(RestartStrategy.fixedDelay({ attempts: 5, delayMs: 0 }));
    collect(env.fromBatch(range(5)).map(strict.Flaky, {}, { name: 'strict', restart: RestartStrategy.none() }));
    await expect(env.submit({ autostop: true })).rejects.toThrow('operator "strict" failed on record 2: flaky on 2');

    const lenient = flaky({ failOn: 2, failures: 1 });
    const env2 = new LocalEnvironment('override-2', quiet);
    const out = collect(env2.fromBatch(range(5)).map(lenient.Flaky, {}, { name: 'lenient', restart: RestartStrategy.fixedDelay({ attempts: 1, delayMs: 0 }) }));
    const result = await env2.submit({ autostop: true });
    expect(out).toEqual([0, 10, 20, 30, 40]);
    expect(result.operators.lenient!.restarts).toBe(1);
  });

  it('process each record once after a restart of an async function with records in flight, unordered', async () => {
    let failed = false;
    const calls = new Map<number, number>();
    const env = new LocalEnvironment('async-restart', { ...quiet, batchSize: 32 });
    env.setRestartStrategy(RestartStrategy.failureRate({ maxFailures: 3, intervalMs: 60_000, delayMs: 0 }));
    const out = collect(
      env.fromBatch(range(64)).map(
        async (value: number) => {
          calls.set(value, (calls.get(value) ?? 0) + 1);
          await new Promise((resolve) => setImmediate(resolve));
          if (value === 20 && !failed) {
            failed = true;
            throw new Error('async failure');
          }
          return value;
        },
        { name: 'fetch', concurrency: 4, ordered: false },
      ),
    );
    const result = await env.submit({ autostop: true });
    expect([...out].sort((a, b) => a - b)).toEqual(range(64));
    expect(result.operators.fetch).toMatchObject({ restarts: 1, recordsIn: 64, recordsOut: 64 });
    // The failed record was called again; records whose results were handed on were not.
    expect(calls.get(20)).toBe(2);
    expect([...calls.values()].filter((count) => count > 1).length).toBeLessThanOrEqual(4);
  });

  it('leave skip and retry policies as they are, and refuse a restart option with them', async () => {
    expect(() =>
      new LocalEnvironment('bad', quiet).fromBatch([1]).map((value: number) => value, { onError: 'skip', restart: RestartStrategy.fixedDelay({ attempts: 1, delayMs: 0 }) }),
    ).toThrow(`map "map_1": option "restart" applies to onError 'fail' only (onError is 'skip')`);
    expect(() => new LocalEnvironment('bad', quiet).fromBatch([1]).map((value: number) => value, { restart: 3 as never })).toThrow(ValidationError);
    expect(() => new LocalEnvironment('bad', quiet).setRestartStrategy('fixed' as never)).toThrow(/setRestartStrategy: expected a RestartStrategy/);
  });
});
