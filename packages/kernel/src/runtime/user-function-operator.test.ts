import { OperatorError } from '@sage/common';
import { describe, expect, it } from 'vitest';
import { MapFunction } from '../api/functions.js';
import { LocalEnvironment } from '../api/local-environment.js';
import { collect } from '../testing/collect.js';
import { runOperator } from '../testing/operator-harness.js';

const quiet = { logLevel: 'silent' as const, handleSignals: false };
const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('a user function that throws', () => {
  it('fails the job by default with an OperatorError naming the operator, the record and the cause', async () => {
    const env = new LocalEnvironment('fails', quiet);
    const sinkClosed: boolean[] = [];
    env
      .fromBatch(range(100))
      .map(
        (n) => {
          if (n === 42) throw new Error('boom at 42');
          return n;
        },
        { name: 'explode' },
      )
      .sink(() => {}, { name: 'out' });
    const failure = await env.submit({ autostop: true }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(OperatorError);
    const error = failure as OperatorError;
    expect(error.code).toBe('SAGE_OPERATOR');
    expect(error.operator).toBe('explode');
    expect(error.record).toBe('42');
    expect(error.message).toContain('explode');
    expect(error.message).toContain('boom at 42');
    expect((error.cause as Error).message).toBe('boom at 42');
    expect(sinkClosed).toEqual([]);
  });

  it('truncates a long record in the error', async () => {
    const failure = await runOperator(
      'map',
      () => {
        throw new Error('nope');
      },
      { records: ['x'.repeat(10_000)] },
    ).catch((error: OperatorError) => error);
    expect((failure as OperatorError).record.length).toBeLessThan(300);
  });

  it('fails the job when an async function rejects', async () => {
    const failure = await runOperator(
      'map',
      async (n: number) => {
        await tick();
        if (n === 3) throw new TypeError('async boom');
        return n;
      },
      { records: range(10), options: { concurrency: 4 } },
    ).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(OperatorError);
    expect((failure as OperatorError).message).toContain('async boom');
  });

  it('skip: counts skipped records and sends them to the dead letters with their error', async () => {
    const { output, deadLetters, metrics } = await runOperator(
      'map',
      (n: number) => {
        if (n % 10 === 0) throw new RangeError(`bad ${n}`);
        return n;
      },
      { records: range(50), options: { onError: 'skip' } },
    );
    expect(output).toEqual(range(50).filter((n) => n % 10 !== 0));
    expect(metrics.skipped).toBe(5);
    expect(deadLetters).toHaveLength(5);
    expect(deadLetters[0]).toEqual({
      operator: 'under_test',
      record: 0,
      error: { name: 'RangeError', message: 'bad 0' },
      attempts: 1,
    });
  });

  it('retry: succeeds when a later attempt works and counts the retries', async () => {
    const attempts = new Map<number, number>();
    const { output, metrics } = await runOperator(
      'map',
      (n: number) => {
        const seen = (attempts.get(n) ?? 0) + 1;
        attempts.set(n, seen);
        if (n % 2 === 0 && seen < 3) throw new Error('flaky');
        return n * 10;
      },
      { records: range(6), options: { onError: 'retry', maxRetries: 3 } },
    );
    expect(output).toEqual(range(6).map((n) => n * 10));
    expect(metrics.retries).toBe(6);
    expect(metrics.errors).toBe(6);
  });

  it('retry: fails the job once the retries are used up', async () => {
    let calls = 0;
    const failure = await runOperator(
      'map',
      async () => {
        calls++;
        throw new Error('always');
      },
      { records: [1], options: { onError: 'retry', maxRetries: 2, retryDelayMs: 1 } },
    ).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(OperatorError);
    expect(calls).toBe(3);
  });

  it('a source that throws fails the job', async () => {
    const env = new LocalEnvironment('source-fails', quiet);
    let n = 0;
    collect(
      env.fromSource(() => {
        if (++n === 5) throw new Error('source broke');
        return n;
      }),
    );
    await expect(env.submit({ autostop: true })).rejects.toThrow('source broke');
  });
});

describe('async functions', () => {
  it('run with up to `concurrency` records in flight and keep output order', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const { output } = await runOperator(
      'map',
      async (n: number) => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        // Later records finish first: order must still hold.
        for (let i = 0; i < 20 - (n % 20); i++) await tick();
        inFlight--;
        return n;
      },
      { records: range(200), options: { concurrency: 8 } },
    );
    expect(output).toEqual(range(200));
    expect(maxInFlight).toBe(8);
  });

  it('emit as completed with ordered: false', async () => {
    const { output } = await runOperator(
      'map',
      async (n: number) => {
        for (let i = 0; i < (n === 0 ? 50 : 1); i++) await tick();
        return n;
      },
      { records: range(5), options: { concurrency: 5, ordered: false } },
    );
    expect([...output].sort()).toEqual(range(5));
    expect(output[output.length - 1]).toBe(0);
  });

  it('async filter and flatMap work like their sync forms', async () => {
    const filtered = await runOperator('filter', async (n: number) => n % 2 === 0, { records: range(10) });
    expect(filtered.output).toEqual([0, 2, 4, 6, 8]);
    const flat = await runOperator('flatMap', async (n: number) => [n, n], { records: range(3), options: { concurrency: 2 } });
    expect(flat.output).toEqual([0, 0, 1, 1, 2, 2]);
  });

  it('hand on finished records without waiting for the whole batch', async () => {
    const seenAt: number[] = [];
    let processed = 0;
    const env = new LocalEnvironment('linger', { ...quiet, lingerMs: 0 });
    env
      .fromBatch(range(5))
      .map(async (n: number) => {
        for (let i = 0; i < 5; i++) await tick();
        processed++;
        return n;
      })
      .sink(() => {
        seenAt.push(processed);
      });
    await env.submit({ autostop: true });
    // The first result reached the sink before the last record was processed.
    expect(seenAt[0]).toBeLessThan(5);
  });
});

describe('map', () => {
  it('drops a record when the function returns undefined', async () => {
    class EvenOnly extends MapFunction<number, number> {
      execute(n: number) {
        return n % 2 === 0 ? n : undefined;
      }
    }
    const { output, metrics } = await runOperator('map', EvenOnly, { records: range(6) });
    expect(output).toEqual([0, 2, 4]);
    expect(metrics.recordsIn).toBe(6);
    expect(metrics.recordsOut).toBe(3);
  });

  it('passes the config object to the class constructor', async () => {
    class Suffix extends MapFunction<string, string, { suffix: string }> {
      execute(s: string) {
        return s + this.config.suffix;
      }
    }
    const { output } = await runOperator('map', Suffix, { records: ['a', 'b'], config: { suffix: '!' } });
    expect(output).toEqual(['a!', 'b!']);
  });
});

describe('a failing job', () => {
  it('reports the failure even while another instance is stuck in a call that never settles', async () => {
    const env = new LocalEnvironment('stuck', { ...quiet });
    env.fromBatch([1, 2, 3]).map(() => new Promise(() => {}), { name: 'stuck' }).sink(() => {});
    env.fromBatch([1]).map(() => {
      throw new Error('real failure');
    }).sink(() => {});
    await expect(env.submit({ autostop: true })).rejects.toThrow('real failure');
  });
});
