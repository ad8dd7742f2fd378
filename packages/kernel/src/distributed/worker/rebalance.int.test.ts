/**
 * Workers that join a running job take their share: the keyed pipeline (100,000 records, source -> map(3) ->
 * keyBy -> keyed counter(3) -> idempotent sink(3), nine worker partitions) starts on one worker process, two
 * more start while it runs, and the first gives partitions back to them through the lease and commit machinery.
 */
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobResult } from '../../runtime/job-result.js';
import { expectKeyedExactlyOnce, waitFor } from '../__fixtures__/keyed-sink-checks.js';
import { KEYED_RECORD_COUNT, keyedReadings, keyedSinkKey } from '../__fixtures__/pipelines/build-keyed-pipeline.js';
import { REDIS_URL, removePrefix, uniquePrefix } from '../__fixtures__/redis-fixtures.js';
import { FIXTURES, type WorkerProcess, WorkerProcesses } from '../__fixtures__/worker-processes.js';
import { JobStore } from '../job-store.js';
import { RedisKeys } from '../keys.js';
import { connectRedis } from '../redis-connection.js';

const prefix = uniquePrefix('rebalance');
const keys = new RedisKeys(prefix);
const pipelines = join(FIXTURES, 'pipelines');
const workers = new WorkerProcesses(REDIS_URL, prefix);
const partitions = ['enrich', 'count', 'store'].flatMap((operator) => [0, 1, 2].map((partition) => ({ operator, partition })));
let admin: Redis;
let store: JobStore;
let first: WorkerProcess;

/** Per partition: its lease owner and the JSON of its last committed sequences. */
async function partitionStates(jobId: string): Promise<Array<{ owner: string | null; done: string }>> {
  return Promise.all(
    partitions.map(async ({ operator, partition }) => {
      const [owner, done] = await Promise.all([admin.get(keys.partitionLease(jobId, operator, partition)), admin.hgetall(keys.partitionDone(jobId, operator, partition))]);
      return { owner, done: JSON.stringify(done) };
    }),
  );
}

beforeAll(async () => {
  process.env.SAGE_TEST_REDIS = REDIS_URL;
  process.env.SAGE_TEST_PREFIX = prefix;
  admin = await connectRedis(REDIS_URL);
  store = await JobStore.connect({ redis: REDIS_URL, prefix });
  first = await workers.start(pipelines);
}, 30_000);

afterAll(async () => {
  await workers.stopAll();
  if (admin !== undefined) await removePrefix(admin, prefix);
  await store?.close();
  admin?.disconnect();
});

describe('workers joining a running job', () => {
  it('take partitions from the worker that held them all and commit batches, every record exactly once', async () => {
    const running = import('../__fixtures__/pipelines/keyed-count-join.js') as Promise<{ result: JobResult; jobId: string }>;
    const jobId = await waitFor('the job to run', async () => (await store.list({ status: 'running', limit: 1 }))[0]?.id);
    const owners = await waitFor('every partition owned', async () => {
      const states = await partitionStates(jobId);
      return states.every(({ owner }) => owner !== null) ? states.map(({ owner }) => owner) : undefined;
    });
    expect(owners.every((owner) => owner === first.id)).toBe(true);

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
    const shares = [first, ...newcomers].map((worker) => atTakeOver.filter(({ owner }) => owner === worker.id).length);
    console.log(
      `two workers joined a running job held by one (${atJoin} of ${KEYED_RECORD_COUNT} records at the sink): they owned a partition ${[...tookOver.values()].join(' and ')} ms and committed a batch there ${[...committedBy.values()].join(' and ')} ms after each was ready; partitions held then (first, newcomers): ${shares.join(', ')}`,
    );
    // The first worker never goes below the fair share ceil(9 / 3).
    expect(shares[0]).toBeGreaterThanOrEqual(3);
    // Then three each, which stays (the leases stay until the job ends).
    const balanced = await waitFor('three partitions each', async () => {
      const states = await partitionStates(jobId);
      const layout = [first, ...newcomers].map((worker) => partitions.filter((_, index) => states[index]!.owner === worker.id).map(({ operator, partition }) => `${operator}.${partition}`));
      return layout.every((held) => held.length === 3) ? layout : undefined;
    });
    console.log(`balanced ${Date.now() - joinedAt} ms after both newcomers were ready: ${balanced.map((held) => held.join(' ')).join(' | ')}`);

    const { result } = await running;
    const expected = new Map<string, number>();
    for (const { key } of keyedReadings()) expected.set(key, (expected.get(key) ?? 0) + 1);
    await expectKeyedExactlyOnce(admin, 'keyed-count-join', result, expected);
  }, 120_000);
});
