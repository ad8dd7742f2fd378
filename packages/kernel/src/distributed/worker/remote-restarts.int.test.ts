/**
 * Restart strategies on workers: two worker processes run a map that fails on one record; the job's strategy
 * restarts the operator instance in the worker that owns the record's partition, as the local executor does.
 */
import { describe, expect, it } from 'vitest';
import { LocalEnvironment } from '../../api/local-environment.js';
import type { JobResult } from '../../runtime/job-result.js';
import { keysUnder } from '../__fixtures__/redis-fixtures.js';
import { buildRestartPipeline, FAILING_ID, RESTART_RECORD_COUNT } from '../__fixtures__/pipelines/build-restart-pipeline.js';
import { workerCluster } from '../__fixtures__/worker-cluster.js';

const cluster = workerCluster('remote-restarts');
const { prefix, keys } = cluster;

describe('restart strategies on workers', () => {
  it('restart a map that fails twice: the job finishes, every record once, restarts = 2 in the merged metrics', async () => {
    const { result, error, jobId } = (await import('../__fixtures__/pipelines/restart-map.js')) as {
      result?: JobResult;
      error?: Error;
      jobId: string;
    };
    expect(error).toBeUndefined();
    expect(result!.status).toBe('finished');
    const received = (await cluster.admin.lrange(`${prefix}:sink:restart-map`, 0, -1)).map(Number).sort((a, b) => a - b);
    expect(received).toEqual(Array.from({ length: RESTART_RECORD_COUNT }, (_, id) => id));
    expect(result!.operators.flaky).toMatchObject({ restarts: 2, errors: 2, recordsIn: RESTART_RECORD_COUNT, recordsOut: RESTART_RECORD_COUNT });
    expect((await cluster.store.get(jobId))?.operators.flaky).toMatchObject({ restarts: 2 });

    // The same file in a local run restarts as often.
    const local = new LocalEnvironment('restart-map', { handleSignals: false, logLevel: 'silent', batchSize: 64 });
    buildRestartPipeline(local, { sinkKey: `${prefix}:sink:restart-local`, failures: 2, attempts: 3 });
    const localResult = await local.submit({ autostop: true });
    expect(localResult.operators.flaky).toMatchObject({ restarts: 2, recordsOut: RESTART_RECORD_COUNT });
    expect(await keysUnder(cluster.admin, `${keys.queuePrefix(jobId)}:*`)).toEqual([]);
  }, 60_000);

  it('keep the partition through a restart pause longer than its lease and lock: one restart, every record once', async () => {
    const { result, error } = (await import('../__fixtures__/pipelines/restart-long-delay.js')) as { result?: JobResult; error?: Error };
    expect(error).toBeUndefined();
    // Another owner would have failed again (failures are counted per process) and restarted a second time.
    expect(result!.operators.flaky).toMatchObject({ restarts: 1, errors: 1, recordsOut: RESTART_RECORD_COUNT });
    const received = (await cluster.admin.lrange(`${prefix}:sink:restart-long-delay`, 0, -1)).map(Number).sort((a, b) => a - b);
    expect(received).toEqual(Array.from({ length: RESTART_RECORD_COUNT }, (_, id) => id));
  }, 60_000);

  it('fail the job with the OperatorError of the map when the attempts are used up', async () => {
    const { error, jobId } = (await import('../__fixtures__/pipelines/restart-exhausted.js')) as {
      error?: Error & { code?: string };
      jobId: string;
    };
    expect(error?.message).toMatch(new RegExp(`^operator "flaky" failed on record \\{"id":${FAILING_ID},"word":"w2"\\}: flaky failure 2 on w2$`));
    expect(error?.code).toBe('SAGE_OPERATOR');
    expect(await cluster.store.get(jobId)).toMatchObject({ status: 'failed', error: { code: 'SAGE_OPERATOR' } });
  }, 60_000);
});
