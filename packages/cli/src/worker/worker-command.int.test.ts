/**
 * `sage worker` as users start it (the CLI's bin under tsx), serving a job submitted from this process, and
 * stopping on SIGTERM. Needs Redis at REDIS_URL (default 127.0.0.1:6379) and @sage/kernel built.
 */
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type JobResult, JobStore } from '@sage/kernel';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryIo } from '../__fixtures__/memory-io.js';
import { type SageWorkerProcess, SageWorkers } from '../__fixtures__/sage-processes.js';
import { runCli } from '../cli.js';
import { EXIT_FAILURE, EXIT_USAGE } from '../exit-codes.js';

const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
const prefix = `sage-test:cli-worker:${randomBytes(4).toString('hex')}`;
const pipelines = join(dirname(fileURLToPath(import.meta.url)), '__fixtures__', 'pipelines');
const workers = new SageWorkers();
let worker: SageWorkerProcess;
let store: JobStore;

beforeAll(async () => {
  process.env.SAGE_TEST_REDIS = REDIS_URL;
  process.env.SAGE_TEST_PREFIX = prefix;
  store = await JobStore.connect({ redis: REDIS_URL, prefix });
  worker = await workers.start(['--redis', REDIS_URL, '--prefix', prefix, '--concurrency', '2', '--code-dir', pipelines]);
}, 30_000);

afterAll(async () => {
  await workers.stopAll();
  for (const job of await store.list({ limit: 1000 })) await store.delete(job.id, { force: true });
  await store.close();
});

describe('sage worker', () => {
  it('serves a remote job from its code dir and stops gracefully on SIGTERM', async () => {
    expect(worker.output()).toMatch(new RegExp(`serving jobs in Redis at redis://127\\.0\\.0\\.1:6379 \\(prefix ${prefix}\\), code dir .*pipelines, concurrency 2`));
    const { result } = (await import('./__fixtures__/pipelines/doubling.js')) as { result: JobResult };
    expect(result.status).toBe('finished');
    expect(result.operators.double).toMatchObject({ recordsIn: 100, recordsOut: 100, parallelism: 2 });
    expect(result.operators.discard).toMatchObject({ recordsIn: 100 });

    const exited = new Promise<number | null>((resolve) => worker.child.once('exit', resolve));
    worker.child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(worker.output()).toContain('stopping: batches in progress finish');
  }, 40_000);

  it('refuses a --redis that is not a Redis URL (usage error) and an unreachable Redis (failure)', async () => {
    const bad = memoryIo(pipelines);
    expect(await runCli(['worker', '--redis', 'http://127.0.0.1:6379'], bad)).toBe(EXIT_USAGE);
    expect(bad.stderrText()).toMatch(/redis:\/\//);
    const unreachable = memoryIo(pipelines);
    expect(await runCli(['worker', '--redis', 'redis://127.0.0.1:1'], unreachable)).toBe(EXIT_FAILURE);
    expect(unreachable.stderrText()).toMatch(/cannot connect to Redis at redis:\/\/127\.0\.0\.1:1/);
  });
});
