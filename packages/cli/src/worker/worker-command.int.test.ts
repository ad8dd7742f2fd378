/**
 * `sage worker` as users start it (the CLI's bin under tsx), serving a job submitted from this process, and
 * stopping on SIGTERM. Needs Redis at REDIS_URL (default 127.0.0.1:6379) and @sage/kernel built.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type JobResult, JobStore } from '@sage/kernel';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryIo } from '../__fixtures__/memory-io.js';
import { runCli } from '../cli.js';
import { EXIT_FAILURE, EXIT_USAGE } from '../exit-codes.js';
import { CLI_PACKAGE_ROOT } from '../package-paths.js';

const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
const prefix = `sage-test:cli-worker:${randomBytes(4).toString('hex')}`;
const pipelines = join(dirname(fileURLToPath(import.meta.url)), '__fixtures__', 'pipelines');
let worker: ChildProcess | undefined;
let output = '';
let store: JobStore;

beforeAll(async () => {
  process.env.SAGE_TEST_REDIS = REDIS_URL;
  process.env.SAGE_TEST_PREFIX = prefix;
  store = await JobStore.connect({ redis: REDIS_URL, prefix });
  worker = spawn(
    process.execPath,
    ['--import', 'tsx', join(CLI_PACKAGE_ROOT, 'src', 'bin.ts'), 'worker', '--redis', REDIS_URL, '--prefix', prefix, '--concurrency', '2', '--code-dir', pipelines],
    { cwd: CLI_PACKAGE_ROOT, env: { ...process.env, SAGE_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`sage worker did not start:\n${output}`)), 20_000);
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('(Ctrl+C to stop)')) {
        clearTimeout(timer);
        resolve();
      }
    };
    worker!.stdout!.on('data', collect);
    worker!.stderr!.on('data', collect);
    worker!.once('exit', (code) => reject(new Error(`sage worker exited with ${code}:\n${output}`)));
  });
}, 30_000);

afterAll(async () => {
  if (worker !== undefined && worker.exitCode === null && worker.signalCode === null) worker.kill('SIGKILL');
  for (const job of await store.list({ limit: 1000 })) await store.delete(job.id, { force: true });
  await store.close();
});

describe('sage worker', () => {
  it('serves a remote job from its code dir and stops gracefully on SIGTERM', async () => {
    expect(output).toMatch(new RegExp(`serving jobs in Redis at redis://127\\.0\\.0\\.1:6379 \\(prefix ${prefix}\\), code dir .*pipelines, concurrency 2`));
    const { result } = (await import('./__fixtures__/pipelines/doubling.js')) as { result: JobResult };
    expect(result.status).toBe('finished');
    expect(result.operators.double).toMatchObject({ recordsIn: 100, recordsOut: 100, parallelism: 2 });
    expect(result.operators.discard).toMatchObject({ recordsIn: 100 });

    const exited = new Promise<number | null>((resolve) => worker!.once('exit', resolve));
    worker!.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(output).toContain('stopping: batches in progress finish');
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
