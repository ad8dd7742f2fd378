/**
 * `sage worker` recovery flags (checked, naming the flag; they reach the worker's leases) and the Redis
 * requirements check at start (a warning for an evicting maxmemory-policy). Needs Redis at REDIS_URL and
 * redis-server on PATH for the private server.
 */
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ValidationError } from '@sage/common';
import { type JobResult, JobStore } from '@sage/kernel';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { memoryIo } from '../__fixtures__/memory-io.js';
import { HAS_REDIS_SERVER, startRedis } from '../__fixtures__/private-redis.js';
import { SageWorkers } from '../__fixtures__/sage-processes.js';
import { runCli } from '../cli.js';
import { EXIT_USAGE } from '../exit-codes.js';
import { recoveryFromFlags } from './worker-command.js';

const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
const prefix = `sage-test:cli-worker-flags:${randomBytes(4).toString('hex')}`;
const pipelines = join(dirname(fileURLToPath(import.meta.url)), '__fixtures__', 'pipelines');
const workers = new SageWorkers();

afterAll(async () => {
  await workers.stopAll();
});

describe('sage worker recovery flags', () => {
  it('fill in the kernel defaults and refuse bad values with a ValidationError naming the flag', () => {
    expect(recoveryFromFlags({})).toEqual({ leaseMs: 10_000, heartbeatMs: 2_500, lockDurationMs: 10_000, stalledIntervalMs: 5_000, maxStalledCount: 5 });
    expect(recoveryFromFlags({ leaseMs: '2000', maxStalledCount: '0' })).toMatchObject({ leaseMs: 2_000, heartbeatMs: 500, maxStalledCount: 0 });
    expect(() => recoveryFromFlags({ lockDurationMs: '1.5s' })).toThrow(new ValidationError('--lock-duration-ms must be a whole number, got "1.5s"'));
    expect(() => recoveryFromFlags({ stalledIntervalMs: '0' })).toThrow(/^--stalled-interval-ms must be an integer >= 1, got 0$/);
    expect(() => recoveryFromFlags({ heartbeatMs: '20000' })).toThrow(/^--heartbeat-ms \(20000\) must be shorter than the lease \(--lease-ms, 10000\)/);
  });

  it('exit 2 with the flag named, before connecting to Redis', async () => {
    for (const [args, message] of [
      [['--lease-ms', 'soon'], '--lease-ms must be a whole number, got "soon"'],
      [['--lease-ms', '1000', '--heartbeat-ms', '1000'], '--heartbeat-ms (1000) must be shorter than the lease (--lease-ms, 1000)'],
    ] as const) {
      const io = memoryIo(pipelines);
      expect(await runCli(['worker', '--redis', 'redis://127.0.0.1:1', ...args], io)).toBe(EXIT_USAGE);
      expect(io.stderrText()).toContain(message);
      expect(io.stderrText()).toContain('SAGE_VALIDATION');
    }
  });

  it('reach the worker: its partition leases live --lease-ms; --no-rebalance is taken', async () => {
    process.env.SAGE_TEST_REDIS = REDIS_URL;
    process.env.SAGE_TEST_PREFIX = prefix;
    const worker = await workers.start(['--redis', REDIS_URL, '--prefix', prefix, '--code-dir', pipelines, '--lease-ms', '1500', '--heartbeat-ms', '300', '--no-rebalance']);
    expect(worker.output()).toContain('lease 1500 ms, keeps its partitions when workers join');
    const admin = new Redis(REDIS_URL);
    const store = await JobStore.connect({ redis: REDIS_URL, prefix });
    try {
      const running = import('./__fixtures__/pipelines/slow-doubling.js') as Promise<{ result: JobResult }>;
      let ttl = -2;
      for (let attempt = 0; attempt < 200 && ttl < 0; attempt++) {
        const [job] = await store.list({ status: 'running', limit: 1 });
        const [lease] = job === undefined ? [] : await admin.keys(`${prefix}:job:${job.id}:lease:*`);
        if (lease !== undefined) ttl = await admin.pttl(lease);
        if (ttl < 0) await new Promise((resolve) => setTimeout(resolve, 25));
      }
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(1_500);
      expect((await running).result.status).toBe('finished');
    } finally {
      for (const job of await store.list({ limit: 100 })) await store.delete(job.id, { force: true });
      await store.close();
      admin.disconnect();
    }
  }, 40_000);
});

describe.skipIf(!HAS_REDIS_SERVER)('sage worker Redis requirements', () => {
  it('warns at start when maxmemory-policy is not noeviction, and still serves', async () => {
    const redis = await startRedis(['--maxmemory-policy', 'allkeys-lru']);
    try {
      const worker = await workers.start(['--redis', redis.url, '--code-dir', pipelines]);
      expect(worker.output()).toMatch(/maxmemory-policy is allkeys-lru, so Redis may evict queued batches/);
      expect(worker.output()).toContain('(Ctrl+C to stop)');
    } finally {
      await workers.stopAll();
      redis.stop();
    }
  }, 30_000);
});
