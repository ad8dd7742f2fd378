/**
 * Workers that join a running job take their share: the keyed pipeline (100,000 records, source -> map(3) ->
 * keyBy -> keyed counter(3) -> idempotent sink(3), nine worker partitions) starts on one worker process, two
 * more start while it runs, and the first gives partitions back to them through the lease and commit machinery.
 * Then the same with the paced event-time pipeline, whose window partitions move while windows are open.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { JobResult } from '../../runtime/job-result.js';
import { expectKeyedExactlyOnce } from '../__fixtures__/keyed-sink-checks.js';
import { KEYED_RECORD_COUNT, keyedCounts, keyedSinkKey } from '../__fixtures__/pipelines/build-keyed-pipeline.js';
import { workerCluster } from '../__fixtures__/worker-cluster.js';
import { FIXTURES, type WorkerProcess } from '../__fixtures__/worker-processes.js';
import { KILL_EVENT_COUNT, windowedReference, windowedSinkKey } from '../__fixtures__/pipelines/build-windowed-pipeline.js';
import { stalledBatches } from '../__fixtures__/stalled-batches.js';
import { waitFor } from '../__fixtures__/wait-for.js';

const cluster = workerCluster('rebalance', 1);
const pipelines = join(FIXTURES, 'pipelines');
const partitions = ['enrich', 'count', 'store'].flatMap((operator) => [0, 1, 2].map((partition) => ({ operator, partition })));

/** Per partition: its lease owner and the JSON of its last committed sequences. */
async function partitionStates(jobId: string): Promise<Array<{ owner: string | null; done: string }>> {
  return Promise.all(
    partitions.map(async ({ operator, partition }) => {
      const { admin, keys } = cluster;
      const [owner, done] = await Promise.all([admin.get(keys.partitionLease(jobId, operator, partition)), admin.hgetall(keys.partitionDone(jobId, operator, partition))]);
      return { owner, done: JSON.stringify(done) };
    }),
  );
}

/** Stops a worker process with SIGTERM (it releases its partitions) and waits for it to exit. */
async function leave(worker: WorkerProcess): Promise<void> {
  const exited = new Promise((resolve) => worker.child.once('exit', resolve));
  worker.child.kill('SIGTERM');
  await exited;
}

describe('workers joining a running job', () => {
  it('take partitions from the worker that held them all and commit batches, every record exactly once', async () => {
    const running = import('../__fixtures__/pipelines/keyed-count-join.js') as Promise<{ result: JobResult; jobId: string }>;
    const { admin, store, workers } = cluster;
    const jobId = await waitFor('the job to run', async () => (await store.list({ status: 'running', limit: 1 }))[0]?.id);
    const owners = await waitFor('every partition owned', async () => {
      const states = await partitionStates(jobId);
      return states.every(({ owner }) => owner !== null) ? states.map(({ owner }) => owner!) : undefined;
    });
    // The one worker started with the cluster holds them all.
    expect(new Set(owners).size).toBe(1);
    const first = owners[0]!;

    // Each newcomer's time is counted from its own start (it attaches within a poll of 100 ms).
    const readyAt = new Map<string, number>();
    const join = async (): Promise<WorkerProcess> => {
      const worker = await workers.start(pipelines);
      readyAt.set(worker.id, Date.now());
      return worker;
    };
    const newcomers = await Promise.all([join(), join()]);
    const joinedAt = Math.max(...readyAt.values());
    const atJoin = await admin.hlen(keyedSinkKey('keyed-count-join'));
    // A partition a newcomer owned at two polls whose committed sequences changed in between: it committed there.
    const seen = new Map<number, string>();
    const committedBy = new Map<string, number>();
    const tookOver = new Map<string, number>();
    await waitFor(
      'each newcomer to commit a batch',
      async () => {
        const states = await partitionStates(jobId);
        for (const [index, { owner, done }] of states.entries()) {
          const newcomer = newcomers.find((worker) => worker.id === owner);
          if (newcomer === undefined) {
            seen.delete(index);
            continue;
          }
          if (!tookOver.has(newcomer.id)) tookOver.set(newcomer.id, Date.now() - readyAt.get(newcomer.id)!);
          const before = seen.get(index);
          if (before !== undefined && before !== done && !committedBy.has(newcomer.id)) committedBy.set(newcomer.id, Date.now() - readyAt.get(newcomer.id)!);
          seen.set(index, done);
        }
        return committedBy.size === newcomers.length ? true : undefined;
      },
      60_000,
    );
    const atTakeOver = await partitionStates(jobId);
    const shares = [first, ...newcomers.map(({ id }) => id)].map((id) => atTakeOver.filter(({ owner }) => owner === id).length);
    console.log(
      `two workers joined a running job held by one (${atJoin} of ${KEYED_RECORD_COUNT} records at the sink): they owned a partition ${[...tookOver.values()].join(' and ')} ms and committed a batch there ${[...committedBy.values()].join(' and ')} ms after each was ready; partitions held then (first, newcomers): ${shares.join(', ')}`,
    );
    // The first worker never goes below the fair share ceil(9 / 3).
    expect(shares[0]).toBeGreaterThanOrEqual(3);
    // Then three each, which stays (the leases stay until the job ends).
    const balanced = await waitFor('three partitions each', async () => {
      const states = await partitionStates(jobId);
      const layout = [first, ...newcomers.map(({ id }) => id)].map((id) => partitions.filter((_, index) => states[index]!.owner === id).map(({ operator, partition }) => `${operator}.${partition}`));
      return layout.every((held) => held.length === 3) ? layout : undefined;
    });
    console.log(`balanced ${Date.now() - joinedAt} ms after both newcomers were ready: ${balanced.map((held) => held.join(' ')).join(' | ')}`);
    // Handed over, not taken over: no batch was left to stall and be re-run.
    expect(await stalledBatches(admin, cluster.keys, jobId, partitions)).toBe(0);

    const { result } = await running;
    await expectKeyedExactlyOnce(admin, 'keyed-count-join', result, keyedCounts());
    await Promise.all(newcomers.map(leave));
  }, 120_000);
  it('move open windows with their partitions: every window total and late event equal a plain computation', async () => {
    const { admin, store, keys, workers } = cluster;
    const running = import('../__fixtures__/pipelines/windowed-counts-join.js') as Promise<{ result: JobResult }>;
    const jobId = await waitFor('the job to run', async () => (await store.list({ status: 'running', limit: 1 }))[0]?.id);
    const windowPartitions = [0, 1, 2].map((partition) => ({ operator: 'totals', partition }));
    const owners = await waitFor('the window partitions owned', async () => {
      const all = await Promise.all(windowPartitions.map(({ operator, partition }) => admin.get(keys.partitionLease(jobId, operator, partition))));
      return all.every((owner) => owner !== null) ? all : undefined;
    });
    expect(new Set(owners).size).toBe(1);
    const totalsKey = `${windowedSinkKey('windowed-counts-join')}:totals`;

    const newcomers = await Promise.all([workers.start(pipelines), workers.start(pipelines)]);
    // A window partition a newcomer owns whose committed state holds open windows (`#w:` fields).
    const moved = await waitFor('a newcomer owning a window partition with open windows', async () => {
      for (const { operator, partition } of windowPartitions) {
        const owner = await admin.get(keys.partitionLease(jobId, operator, partition));
        if (!newcomers.some(({ id }) => id === owner)) continue;
        const fields = await admin.hkeys(keys.partitionState(jobId, operator, partition));
        if (fields.some((field) => field.startsWith('#w:'))) return `${operator}.${partition}`;
      }
      return undefined;
    });
    console.log(`window partition ${moved} moved to a newcomer with open windows, ${await admin.hlen(totalsKey)} window results at the sink then`);
    expect(await stalledBatches(admin, keys, jobId, windowPartitions)).toBe(0);

    const { result } = await running;
    expect(result.status).toBe('finished');
    const late = await admin.hgetall(`${windowedSinkKey('windowed-counts-join')}:late`);
    expect({ totals: await admin.hgetall(totalsKey), late }).toEqual(windowedReference(KILL_EVENT_COUNT));
    await Promise.all(newcomers.map(leave));
  }, 120_000);
});
