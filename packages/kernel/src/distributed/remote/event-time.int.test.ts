/**
 * Event time on workers: timestamps travel with the records, watermarks are combined over the upstream
 * instances as in local mode, windows fire and late data goes to the side output. Two worker processes run the
 * windowed pipeline; its results equal a local run and a plain computation over the same events.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LocalEnvironment } from '../../api/local-environment.js';
import type { JobResult } from '../../runtime/job-result.js';
import { buildWindowedPipeline, KILL_EVENT_COUNT, LATE_EVENT_COUNT, windowedReference, windowedSinkKey } from '../__fixtures__/pipelines/build-windowed-pipeline.js';
import { waitFor } from '../__fixtures__/wait-for.js';
import { workerCluster } from '../__fixtures__/worker-cluster.js';
import { FIXTURES } from '../__fixtures__/worker-processes.js';

const cluster = workerCluster('event-time', 3);

describe('event time on two worker processes', () => {
  it('fires the same windows and routes the same late events as a local run', async () => {
    const { result } = (await import('../__fixtures__/pipelines/windowed-counts.js')) as { result: JobResult };
    expect(result.status).toBe('finished');
    const remoteKey = windowedSinkKey('windowed-counts');
    const remote = { totals: await cluster.admin.hgetall(`${remoteKey}:totals`), late: await cluster.admin.hgetall(`${remoteKey}:late`) };

    const localKey = windowedSinkKey('windowed-local');
    const local = new LocalEnvironment('windowed-local', { handleSignals: false });
    buildWindowedPipeline(local, { sinkKey: localKey });
    const localResult = await local.submit({ autostop: true });
    const expected = windowedReference();
    expect(Object.keys(expected.late)).toHaveLength(LATE_EVENT_COUNT);

    expect(remote).toEqual(expected);
    expect({ totals: await cluster.admin.hgetall(`${localKey}:totals`), late: await cluster.admin.hgetall(`${localKey}:late`) }).toEqual(expected);
    // Each window fired once (no event was late within the allowed lateness), on workers as locally.
    expect(result.operators.totals!.recordsOut).toBe(Object.keys(expected.totals).length);
    expect(result.operators.totals!.recordsOut).toBe(localResult.operators.totals!.recordsOut);
  }, 60_000);

  it('runs a window declared for the native engine on workers (there on the TypeScript engine, durably) with the counts of the reference', async () => {
    const { result } = (await import('../__fixtures__/pipelines/native-windowed-counts.js')) as { result: JobResult };
    expect(result.status).toBe('finished');
    const key = windowedSinkKey('native-windowed-counts');
    const expected = windowedReference();
    const counts = (await cluster.admin.lrange(`${key}:counts`, 0, -1)).map(Number).sort((a, b) => a - b);
    const expectedCounts = Object.values(expected.totals)
      .map((total) => Number(total.split(':')[0]))
      .sort((a, b) => a - b);
    expect(counts).toEqual(expectedCounts);
    expect((await cluster.admin.lrange(`${key}:late`, 0, -1)).sort()).toEqual(Object.keys(expected.late).sort());
    expect(result.operators.counts!.recordsOut).toBe(expectedCounts.length);
  }, 60_000);
});

describe('event time when a worker dies', () => {
  it('keeps window contents in Redis: killing the owner of a window partition mid-run changes no result', async () => {
    const running = import('../__fixtures__/pipelines/windowed-counts-kill.js') as Promise<{ result: JobResult }>;
    const jobId = await waitFor('the job to run', async () => (await cluster.store.list({ status: 'running', limit: 1 }))[0]?.id);
    const totalsKey = `${windowedSinkKey('windowed-counts-kill')}:totals`;
    await waitFor('window results at the sink', async () => ((await cluster.admin.hlen(totalsKey)) >= 500 ? true : undefined));
    // A window partition holding open windows in Redis (`#w:<key>` fields), and its owner.
    const { partition, owner } = await waitFor('a partition with open windows', async () => {
      for (const partition of [0, 1, 2]) {
        const fields = await cluster.admin.hkeys(cluster.keys.partitionState(jobId, 'totals', partition));
        const owner = await cluster.admin.get(cluster.keys.partitionLease(jobId, 'totals', partition));
        if (owner !== null && fields.some((field) => field.startsWith('#w:'))) return { partition, owner };
      }
      return undefined;
    });
    const victim = cluster.workers.processes.find((worker) => worker.id === owner);
    expect(victim, `the owner ${owner} of totals.${partition} among the started workers`).toBeDefined();
    const exited = new Promise((resolve) => victim!.child.once('exit', resolve));
    victim!.child.kill('SIGKILL');
    await exited;
    const killedAt = Date.now();
    const atKill = await cluster.admin.hlen(totalsKey);
    await cluster.workers.start(join(FIXTURES, 'pipelines'));
    const newOwner = await waitFor('another owner', async () => {
      const owner = await cluster.admin.get(cluster.keys.partitionLease(jobId, 'totals', partition));
      return owner !== null && owner !== victim!.id ? owner : undefined;
    });
    console.log(`worker ${victim!.id} killed with ${atKill} window results at the sink; totals.${partition} owned by ${newOwner} ${Date.now() - killedAt} ms later`);

    const { result } = await running;
    expect(result.status).toBe('finished');
    const expected = windowedReference(KILL_EVENT_COUNT);
    expect({ totals: await cluster.admin.hgetall(totalsKey), late: await cluster.admin.hgetall(`${windowedSinkKey('windowed-counts-kill')}:late`) }).toEqual(expected);
  }, 120_000);
});
