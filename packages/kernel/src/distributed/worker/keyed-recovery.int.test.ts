/**
 * Keyed state and worker loss end to end: 100,000 records through source -> map(3) -> keyBy -> keyed counter(3)
 * -> idempotent sink(3) on three worker processes (spawned here, with short leases and locks): undisturbed,
 * while one worker is killed with SIGKILL and another started, and while one is stopped with SIGTERM.
 */
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalEnvironment } from '../../api/local-environment.js';
import type { JobResult } from '../../runtime/job-result.js';
import { expectKeyedExactlyOnce, readKeyedSink } from '../__fixtures__/keyed-sink-checks.js';
import { buildKeyedPipeline, KEY_COUNT, KEYED_RECORD_COUNT, keyedSinkKey } from '../__fixtures__/pipelines/build-keyed-pipeline.js';
import { keysUnder, REDIS_URL, removePrefix, uniquePrefix } from '../__fixtures__/redis-fixtures.js';
import { FIXTURES, type WorkerProcess, WorkerProcesses } from '../__fixtures__/worker-processes.js';
import { stalledBatches } from '../__fixtures__/stalled-batches.js';
import { waitFor } from '../__fixtures__/wait-for.js';
import { JobStore } from '../job-store.js';
import { RedisKeys } from '../keys.js';
import { connectRedis } from '../redis-connection.js';

const prefix = uniquePrefix('keyed-recovery');
const keys = new RedisKeys(prefix);
const pipelines = join(FIXTURES, 'pipelines');
const workers = new WorkerProcesses(REDIS_URL, prefix);
let admin: Redis;
let store: JobStore;
let started: WorkerProcess[] = [];
/** Per-key record counts of a LocalEnvironment run of the same pipeline. */
let localCounts: Map<string, number>;

/** The owner (worker id) of each partition lease of `operator`. */
async function leaseOwners(jobId: string, operator: string): Promise<Array<string | null>> {
  return Promise.all([0, 1, 2].map((partition) => admin.get(keys.partitionLease(jobId, operator, partition))));
}

beforeAll(async () => {
  process.env.SAGE_TEST_REDIS = REDIS_URL;
  process.env.SAGE_TEST_PREFIX = prefix;
  admin = await connectRedis(REDIS_URL);
  store = await JobStore.connect({ redis: REDIS_URL, prefix });
  started = await Promise.all([workers.start(pipelines), workers.start(pipelines), workers.start(pipelines)]);

  const local = new LocalEnvironment('keyed-count-local', { handleSignals: false });
  buildKeyedPipeline(local, { sinkKey: keyedSinkKey('keyed-count-local') });
  expect((await local.submit({ autostop: true })).status).toBe('finished');
  const { counts } = await readKeyedSink(admin, 'keyed-count-local');
  localCounts = new Map([...counts].map(([key, list]) => [key, list.length]));
}, 60_000);

afterAll(async () => {
  await workers.stopAll();
  if (admin !== undefined) await removePrefix(admin, prefix);
  await store?.close();
  admin?.disconnect();
});

describe('keyed state on three worker processes', () => {
  it('delivers 100,000 records exactly once with per-key counts equal to a local run, partitions spread over the workers', async () => {
    const running = import('../__fixtures__/pipelines/keyed-count.js') as Promise<{ result: JobResult; jobId: string }>;
    const jobId = await waitFor('the job to run', async () => (await store.list({ status: 'running', limit: 1 }))[0]?.id);
    const owners = await waitFor('every partition owned', async () => {
      const all = (await Promise.all(['enrich', 'count', 'store'].map((operator) => leaseOwners(jobId, operator)))).flat();
      return all.every((owner) => owner !== null) ? all : undefined;
    });
    // Three partitions each, one of every operator.
    expect(new Set(owners).size).toBe(3);
    for (const worker of started) expect(owners.filter((owner) => owner === worker.id)).toHaveLength(3);

    const { result } = await running;
    await expectKeyedExactlyOnce(admin, 'keyed-count', result, localCounts);
    expect(await keysUnder(admin, `${keys.queuePrefix(jobId)}:*`)).toEqual([]);
    // The keyed state stays with the job record until the job is deleted: one field per key.
    const stateFields = await Promise.all([0, 1, 2].map((partition) => admin.hlen(keys.partitionState(jobId, 'count', partition))));
    expect(stateFields.reduce((total, fields) => total + fields, 0)).toBe(KEY_COUNT);
  }, 60_000);

  it('loses nothing and applies nothing twice when a worker is killed with SIGKILL mid-run and another starts', async () => {
    const sinkKey = keyedSinkKey('keyed-count-kill');
    const running = import('../__fixtures__/pipelines/keyed-count-kill.js') as Promise<{ result: JobResult; jobId: string }>;
    const jobId = await waitFor('the job to run', async () => (await store.list({ status: 'running', limit: 1 }))[0]?.id);

    // Kill the owner of a keyed partition once a fifth of the records has reached the sink.
    await waitFor('records at the sink', async () => ((await admin.hlen(sinkKey)) >= KEYED_RECORD_COUNT / 5 ? true : undefined));
    const owners = await leaseOwners(jobId, 'count');
    const victim = started.find((worker) => owners.includes(worker.id));
    expect(victim, `an owner of a "count" partition among ${owners.join(', ')}`).toBeDefined();
    const partition = owners.indexOf(victim!.id);
    const done = keys.partitionDone(jobId, 'count', partition);
    const exited = new Promise((resolve) => victim!.child.once('exit', resolve));
    const killedAt = Date.now();
    victim!.child.kill('SIGKILL');
    await exited;
    // Taken once the process is gone: a commit it sent just before dying is in it.
    const before = JSON.stringify(await admin.hgetall(done));
    const atKill = await admin.hlen(sinkKey);
    const replacement = workers.start(pipelines);

    // Recovery: the next batch the killed worker's partition commits, necessarily in another process.
    const newOwner = await waitFor('a batch committed by another worker', async () => {
      const [owner, now] = await Promise.all([admin.get(keys.partitionLease(jobId, 'count', partition)), admin.hgetall(done)]);
      return JSON.stringify(now) !== before ? owner : undefined;
    });
    const recoveryMs = Date.now() - killedAt;
    const stalled = await stalledBatches(admin, keys, jobId, [{ operator: 'count', partition }, { operator: 'store', partition }]);
    started.push(await replacement);
    console.log(
      `worker ${victim!.id} killed with ${atKill} of ${KEYED_RECORD_COUNT} records at the sink; partition count.${partition} committed again by ${newOwner} after ${recoveryMs} ms; batches put back by BullMQ so far: ${stalled}`,
    );
    expect(newOwner).not.toBe(victim!.id);

    const { result } = await running;
    await expectKeyedExactlyOnce(admin, 'keyed-count-kill', result, localCounts);
    expect(await keysUnder(admin, `${keys.queuePrefix(jobId)}:*`)).toEqual([]);
  }, 90_000);

  it('hands the partitions of a worker stopped with SIGTERM mid-run to the others at once', async () => {
    const sinkKey = keyedSinkKey('keyed-count-stop');
    const running = import('../__fixtures__/pipelines/keyed-count-stop.js') as Promise<{ result: JobResult; jobId: string }>;
    const jobId = await waitFor('the job to run', async () => (await store.list({ status: 'running', limit: 1 }))[0]?.id);
    await waitFor('records at the sink', async () => ((await admin.hlen(sinkKey)) >= KEYED_RECORD_COUNT / 5 ? true : undefined));
    const owners = await leaseOwners(jobId, 'count');
    const leaving = started.find((worker) => worker.child.exitCode === null && worker.child.signalCode === null && owners.includes(worker.id));
    expect(leaving, `a live owner of a "count" partition among ${owners.join(', ')}`).toBeDefined();
    const partition = owners.indexOf(leaving!.id);
    const exited = new Promise((resolve) => leaving!.child.once('exit', resolve));
    leaving!.child.kill('SIGTERM');
    await exited;
    const stoppedAt = Date.now();
    // Its leases were released on the way out: another worker takes the partition within a heartbeat or two.
    const newOwner = await waitFor('another owner', async () => (await admin.get(keys.partitionLease(jobId, 'count', partition))) ?? undefined);
    console.log(`worker ${leaving!.id} stopped; partition count.${partition} owned by ${newOwner} ${Date.now() - stoppedAt} ms later`);
    expect(newOwner).not.toBe(leaving!.id);

    const { result } = await running;
    await expectKeyedExactlyOnce(admin, 'keyed-count-stop', result, localCounts);
  }, 60_000);
});
