/**
 * The distributed executor end to end: two worker processes (spawned here) run a pipeline submitted from this
 * process through BullMQ queues on the shared Redis, under a key prefix of this file.
 */
import { describe, expect, it } from 'vitest';
import { LocalEnvironment } from '../../api/local-environment.js';
import type { RemoteEnvironment } from '../../api/remote-environment.js';
import type { JobResult } from '../../runtime/job-result.js';
import { keysUnder } from '../__fixtures__/redis-fixtures.js';
import { buildPipeline, RECORD_COUNT } from '../__fixtures__/pipelines/build-pipeline.js';
import { workerCluster } from '../__fixtures__/worker-cluster.js';

const cluster = workerCluster('remote-env');
const { prefix, keys } = cluster;

async function queueKeysOf(jobId: string): Promise<string[]> {
  return keysUnder(cluster.admin, `${keys.queuePrefix(jobId)}:*`);
}

function counts(result: JobResult): Record<string, { recordsIn: number; recordsOut: number }> {
  return Object.fromEntries(Object.entries(result.operators).map(([name, m]) => [name, { recordsIn: m.recordsIn, recordsOut: m.recordsOut }]));
}

describe('RemoteEnvironment with two worker processes', () => {
  it('runs source -> map(2) -> filter(2) -> sink: every record once, metrics as in a local run, no queue left', async () => {
    const { result } = (await import('../__fixtures__/pipelines/wordcount-like.js')) as { result: JobResult };
    expect(result.status).toBe('finished');

    const received = (await cluster.admin.lrange(`${prefix}:sink:remote`, 0, -1)).map(Number).sort((a, b) => a - b);
    const expected = Array.from({ length: RECORD_COUNT }, (_, id) => id).filter((id) => id % 3 !== 0);
    expect(received.length).toBe(expected.length);
    expect(received).toEqual(expected);

    const local = new LocalEnvironment('wordcount-like', { handleSignals: false });
    buildPipeline(local, { sinkKey: `${prefix}:sink:local` });
    const localResult = await local.submit({ autostop: true });
    expect(counts(result)).toEqual(counts(localResult));
    expect(result.operators.measure).toMatchObject({ recordsIn: RECORD_COUNT, recordsOut: RECORD_COUNT, parallelism: 2 });

    const [job] = await cluster.store.list({ limit: 1 });
    expect(job).toMatchObject({ name: 'wordcount-like', status: 'finished' });
    expect(job!.module).toMatch(/pipelines[/\\]wordcount-like\.ts$/);
    expect(await queueKeysOf(job!.id)).toEqual([]);
  }, 60_000);

  it('fails a job whose module is outside the workers\' code directory, naming both', async () => {
    const { result, jobId } = (await import('../__fixtures__/outside-pipelines/outside.js')) as {
      result: { error?: Error };
      jobId: string;
    };
    expect(result.error?.message).toMatch(/refuses pipeline module ".*outside\.ts": it is outside the worker's code directory ".*pipelines"/);
    const job = await cluster.store.get(jobId);
    expect(job).toMatchObject({ status: 'failed', error: { message: result.error!.message } });
    expect(await cluster.admin.llen(`${prefix}:sink:outside`)).toBe(0);
    expect(await queueKeysOf(jobId)).toEqual([]);
  }, 30_000);

  it('fails the job when a map throws; submit rejects naming the operator, as a local run does', async () => {
    const { result, jobId } = (await import('../__fixtures__/pipelines/failing-map.js')) as {
      result: { error?: Error & { code?: string } };
      jobId: string;
    };
    const local = new LocalEnvironment('failing-map', { handleSignals: false });
    buildPipeline(local, { sinkKey: `${prefix}:sink:failing-local`, failOn: 4321 });
    const localError = await local.submit({ autostop: true }).then(
      () => undefined,
      (error: Error) => error,
    );
    expect(result.error?.message).toBe(localError?.message);
    expect(result.error?.message).toMatch(/^operator "measure" failed on record .*cannot measure w2/);
    expect(result.error?.code).toBe('SAGE_OPERATOR');
    expect(await cluster.store.get(jobId)).toMatchObject({ status: 'failed', error: { code: 'SAGE_OPERATOR' } });
    expect(await queueKeysOf(jobId)).toEqual([]);
  }, 30_000);

  it('stops an unbounded job on a stop request (sage job stop): in-flight records drain, the job ends stopped', async () => {
    const { env } = (await import('../__fixtures__/pipelines/endless.js')) as { env: RemoteEnvironment };
    const sinkKey = `${prefix}:sink:endless`;
    const deadline = Date.now() + 20_000;
    while ((await cluster.admin.llen(sinkKey)) < 200 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await cluster.store.requestStop(env.jobId!)).toMatchObject({ outcome: 'requested' });
    const result = await env.awaitTermination();
    expect(result?.status).toBe('stopped');
    const emitted = result!.operators.counter!.recordsOut;
    expect(emitted).toBeGreaterThanOrEqual(200);
    const received = (await cluster.admin.lrange(sinkKey, 0, -1)).map(Number).sort((a, b) => a - b);
    expect(received).toEqual(Array.from({ length: emitted }, (_, id) => id));
    expect(result!.operators.store).toMatchObject({ recordsIn: emitted });
    expect(await cluster.store.get(env.jobId!)).toMatchObject({ status: 'stopped' });
    expect(await queueKeysOf(env.jobId!)).toEqual([]);
  }, 40_000);
});
