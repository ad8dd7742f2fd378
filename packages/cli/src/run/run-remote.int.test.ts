/**
 * `sage run --remote`: a pipeline file that builds a LocalEnvironment, unchanged, runs on two `sage worker`
 * processes and gives the same per-key results and record counts as `sage run` without the flag. Needs Redis
 * at REDIS_URL (default 127.0.0.1:6379).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { JobStore } from '@sage/kernel';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSage, SageWorkers } from '../__fixtures__/sage-processes.js';

const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
const prefix = `sage-test:cli-run-remote:${randomBytes(4).toString('hex')}`;
const pipelines = join(dirname(fileURLToPath(import.meta.url)), '__fixtures__', 'pipelines');
const pipeline = join(pipelines, 'keyed-words.ts');
const workers = new SageWorkers();
const output = { local: '', remote: '' };
let store: JobStore;

function countsIn(directory: string): Record<string, number> {
  return Object.fromEntries(readdirSync(directory).map((word) => [word, Number(readFileSync(join(directory, word), 'utf8'))]));
}

beforeAll(async () => {
  output.local = mkdtempSync(join(tmpdir(), 'sage-run-local-'));
  output.remote = mkdtempSync(join(tmpdir(), 'sage-run-remote-'));
  store = await JobStore.connect({ redis: REDIS_URL, prefix });
  const args = ['--redis', REDIS_URL, '--prefix', prefix, '--code-dir', pipelines, '--concurrency', '2'];
  await Promise.all([workers.start(args, { SAGE_TEST_OUT: output.remote }), workers.start(args, { SAGE_TEST_OUT: output.remote })]);
}, 40_000);

afterAll(async () => {
  await workers.stopAll();
  for (const job of await store.list({ limit: 1000 })) await store.delete(job.id, { force: true });
  await store.close();
  for (const directory of Object.values(output)) rmSync(directory, { recursive: true, force: true });
});

describe('sage run --remote', () => {
  it('runs a LocalEnvironment file on two workers with the same per-key counts and record counts as a local run', async () => {
    const local = await runSage(['run', pipeline], { SAGE_TEST_OUT: output.local });
    expect(local.stderr).toBe('');
    expect(local.exitCode).toBe(0);
    const remote = await runSage(['run', pipeline, '--remote', '--redis', REDIS_URL, '--prefix', prefix], { SAGE_TEST_OUT: output.remote });
    expect(remote.stderr).toBe('');
    expect(remote.exitCode).toBe(0);

    const localCounts = countsIn(output.local);
    expect(Object.keys(localCounts)).toHaveLength(23);
    expect(Object.values(localCounts).reduce((sum, count) => sum + count, 0)).toBe(3_000);
    expect(countsIn(output.remote)).toEqual(localCounts);
    expect(JSON.parse(remote.stdout)).toEqual(JSON.parse(local.stdout));
    expect(JSON.parse(remote.stdout)).toMatchObject({ status: 'finished', recordsIn: { upper: 3_000, count: 3_000, write: 3_000 } });

    // The job ran on the workers: it is in their job store, and both workers served it.
    const [job] = await store.list({ limit: 1 });
    expect(job).toMatchObject({ name: 'keyed-words', status: 'finished', module: pipeline });
    const attached = (await store.readLogs(job!.id, { tail: 100 })).filter((entry) => entry.message.startsWith('worker attached'));
    expect(new Set(attached.map((entry) => entry.source)).size).toBe(2);
  }, 90_000);

  it('refuses --redis or --prefix without --remote, and a --redis that is not a Redis URL (usage errors)', async () => {
    const without = await runSage(['run', pipeline, '--prefix', prefix]);
    expect(without.exitCode).toBe(2);
    expect(without.stderr).toBe('sage run: --prefix applies only with --remote\n');
    const bad = await runSage(['run', pipeline, '--remote', '--redis', 'http://127.0.0.1:6379']);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toMatch(/--redis .*redis:\/\//);
  }, 30_000);
});
