/**
 * The submitting process dies (SIGKILL) while its unbounded job runs on two workers: the sources and services
 * ran there, so the job can never end. The workers notice its heartbeat has expired, fail the job with a message
 * saying so, and remove its queues.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { keysUnder } from '../__fixtures__/redis-fixtures.js';
import { workerCluster } from '../__fixtures__/worker-cluster.js';
import { FIXTURES } from '../__fixtures__/worker-processes.js';
import { waitFor } from '../__fixtures__/wait-for.js';
import { SUBMITTER_TIMEOUT_MS } from './remote-job.js';

const cluster = workerCluster('submitter-death');

describe('a job whose submitting process dies', () => {
  it('is failed by its workers once the submitter heartbeat expires, and leaves no queue behind', async () => {
    const submitter = spawn(process.execPath, ['--import', 'tsx', join(FIXTURES, 'pipelines', 'endless-orphan.ts')], {
      env: { ...process.env, LOG_LEVEL: 'silent' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    submitter.stdout!.on('data', (chunk: Buffer) => (output += chunk));
    submitter.stderr!.on('data', (chunk: Buffer) => (output += chunk));
    const jobId = await waitFor('the job id', async () => /submitted (\S+)/.exec(output)?.[1], 30_000);
    const sinkKey = `${cluster.prefix}:sink:endless-orphan`;
    await waitFor('records at the sink', async () => ((await cluster.admin.llen(sinkKey)) >= 100 ? true : undefined), 20_000);

    const exited = new Promise((resolve) => submitter.once('exit', resolve));
    submitter.kill('SIGKILL');
    await exited;
    const killedAt = Date.now();
    expect((await cluster.store.get(jobId))?.status).toBe('running');

    const record = await waitFor('the job to fail', async () => {
      const job = await cluster.store.get(jobId);
      return job?.status === 'failed' ? job : undefined;
    }, SUBMITTER_TIMEOUT_MS + 15_000);
    console.log(`submitter killed; job failed by its workers ${Date.now() - killedAt} ms later`);
    expect(record.error?.message).toMatch(/the submitting process of job \S+ stopped answering/);
    await waitFor('the queues to be removed', async () => ((await keysUnder(cluster.admin, `${cluster.keys.queuePrefix(jobId)}:*`)).length === 0 ? true : undefined), 20_000);
    expect(await cluster.admin.exists(cluster.keys.jobSubmitter(jobId))).toBe(0);
  }, 60_000);
});
