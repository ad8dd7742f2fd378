/**
 * Services of a remote job: they run once, in the submitting process (this one), and operator instances on two
 * worker processes call them over Redis, with the errors of a local call.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LocalEnvironment } from '../../api/local-environment.js';
import { RemoteEnvironment } from '../../api/remote-environment.js';
import { BaseService } from '../../services/base-service.js';
import type { JobResult } from '../../runtime/job-result.js';
import { keysUnder, REDIS_URL } from '../__fixtures__/redis-fixtures.js';
import {
  buildProbePipeline,
  buildTimeoutPipeline,
  CALL_COUNT,
  type Counted,
  PROBES,
  type ProbeOutcome,
} from '../__fixtures__/pipelines/build-service-pipeline.js';
import { workerCluster } from '../__fixtures__/worker-cluster.js';

const cluster = workerCluster('remote-services');
const { prefix, keys } = cluster;

/** Every BullMQ key the job left: batch queues and service queues. */
async function queueKeysOf(jobId: string): Promise<string[]> {
  return [...(await keysUnder(cluster.admin, `${keys.queuePrefix(jobId)}:*`)), ...(await keysUnder(cluster.admin, `${keys.serviceQueuePrefix(jobId)}:*`))];
}

async function sinkRecords<T>(key: string): Promise<T[]> {
  return Object.values(await cluster.admin.hgetall(key)).map((json) => JSON.parse(json) as T);
}

describe('services of a RemoteEnvironment job', () => {
  it('run once: a counter called from a map with parallelism 3 on two workers numbers every call exactly once', async () => {
    const { result, env } = (await import('../__fixtures__/pipelines/counter-service.js')) as { result: JobResult; env: RemoteEnvironment };
    expect(result.status).toBe('finished');
    expect(result.operators.count).toMatchObject({ recordsIn: CALL_COUNT, recordsOut: CALL_COUNT, errors: 0 });

    const records = await sinkRecords<Counted>(`${prefix}:sink:counter-service`);
    expect(records).toHaveLength(CALL_COUNT);
    // One instance numbered the calls: every number from 1 to n once. An instance per process would repeat some.
    expect(records.map((record) => record.count).sort((a, b) => a - b)).toEqual(Array.from({ length: CALL_COUNT }, (_, index) => index + 1));
    // The Float32Array argument and result crossed Redis as typed arrays.
    for (const record of records) expect(record.doubled).toEqual([record.id * 2, 1]);

    const record = await cluster.store.get(env.jobId!);
    expect(record?.status).toBe('finished');
    expect(await queueKeysOf(env.jobId!)).toEqual([]);
  }, 60_000);

  it('raise the errors of a local call: unknown service, unknown method, a throwing method, a timeout', async () => {
    const { result, env } = (await import('../__fixtures__/pipelines/service-probe.js')) as { result: JobResult; env: RemoteEnvironment };
    expect(result.status).toBe('finished');
    const remote = (await sinkRecords<ProbeOutcome>(`${prefix}:sink:service-probe`)).sort((a, b) => a.id - b.id);
    expect(remote).toHaveLength(PROBES.length);

    const local = new LocalEnvironment('service-probe', { handleSignals: false });
    buildProbePipeline(local, { sinkKey: `${prefix}:sink:service-probe-local` });
    await local.submit({ autostop: true });
    const expected = (await sinkRecords<ProbeOutcome>(`${prefix}:sink:service-probe-local`)).sort((a, b) => a.id - b.id);

    // Everything but the last probe (a Map argument, which only a local call can pass) is caught the same way.
    expect(remote.slice(0, -1)).toEqual(expected.slice(0, -1));
    expect(remote[0]).toMatchObject({ name: 'ServiceNotFoundError', code: 'SAGE_SERVICE_NOT_FOUND', classes: ['Error', 'SageError', 'ServiceNotFoundError'] });
    expect(remote[1]).toMatchObject({ name: 'ValidationError', message: 'service "counter" has no method "multiply"', classes: ['Error', 'SageError', 'ValidationError'] });
    expect(remote[2]).toMatchObject({ name: 'ValidationError', message: 'the counter refuses negative input', code: 'SAGE_VALIDATION' });
    expect(remote[3]).toMatchObject({ name: 'TypeError', message: 'the counter crashed', classes: ['Error', 'TypeError'] });
    expect(remote[4]).toMatchObject({
      name: 'ServiceTimeoutError',
      code: 'SAGE_SERVICE_TIMEOUT',
      message: 'service call counter.wait timed out after 100 ms',
      details: { service: 'counter', method: 'wait', timeoutMs: 100 },
      classes: ['Error', 'SageError', 'ServiceTimeoutError'],
    });
    expect(remote[5]).toMatchObject({ name: 'ValidationError', message: 'argument 0 of counter.add cannot travel over Redis: a Map is not a plain object' });
    expect(await queueKeysOf(env.jobId!)).toEqual([]);
  }, 60_000);

  it('fail the job when a service cannot start, before any worker runs it', async () => {
    class Broken extends BaseService {
      start(): void {
        throw new Error('no model file');
      }
    }
    const env = new RemoteEnvironment('broken-service', { redis: REDIS_URL, prefix, module: fileURLToPath(import.meta.url), handleSignals: false, logLevel: 'silent' });
    env
      .registerService('model', Broken)
      .fromBatch([1, 2, 3])
      .map((value: number) => value)
      .sink(() => {});
    await expect(env.submit({ autostop: true })).rejects.toThrow('service "model" failed to start: Error: no model file');
    const [job] = await cluster.store.list({ limit: 1 });
    expect(job).toMatchObject({ name: 'broken-service', status: 'failed', error: { code: 'SAGE_SERVICE' } });
    expect(await queueKeysOf(job!.id)).toEqual([]);
  }, 30_000);

  it('fail the job as locally when a call times out uncaught, and leave no queue behind', async () => {
    const { result, env } = (await import('../__fixtures__/pipelines/service-timeout.js')) as {
      result: { error?: Error & { code?: string } };
      env: RemoteEnvironment;
    };
    const local = new LocalEnvironment('service-timeout', { handleSignals: false });
    buildTimeoutPipeline(local, { sinkKey: `${prefix}:sink:service-timeout-local` });
    const localError = await local.submit({ autostop: true }).then(
      () => undefined,
      (error: Error) => error,
    );
    expect(result.error?.message).toBe(localError?.message);
    expect(result.error?.message).toMatch(/^operator "ask" failed on record 1: service call counter\.wait timed out after 100 ms$/);
    expect(result.error?.code).toBe('SAGE_OPERATOR');
    expect(await cluster.store.get(env.jobId!)).toMatchObject({ status: 'failed', error: { code: 'SAGE_OPERATOR' } });
    expect(await queueKeysOf(env.jobId!)).toEqual([]);
  }, 60_000);
});
