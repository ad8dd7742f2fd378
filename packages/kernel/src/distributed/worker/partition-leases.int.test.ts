/**
 * PartitionLeases on the shared Redis: a worker holding every partition gives its last slice back to a newcomer
 * gracefully (renewing the leases until its instances have closed), and keeps everything when it has no slice
 * to give (rebalancing off). The newcomer is played by heartbeat script calls.
 */
import { createLogger } from '@sage/common';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { REDIS_URL, removePrefix, uniquePrefix } from '../__fixtures__/redis-fixtures.js';
import { waitFor } from '../__fixtures__/wait-for.js';
import { newJobId } from '../job-record.js';
import { RedisKeys } from '../keys.js';
import { connectRedis } from '../redis-connection.js';
import { PartitionLeases } from './partition-leases.js';
import { heartbeatScript } from './partition-scripts.js';

const prefix = uniquePrefix('partition-leases');
const keys = new RedisKeys(prefix);
const logger = createLogger({ name: 'partition-leases', level: 'silent' });
const LEASE_MS = 1_000;
const HEARTBEAT_MS = 100;
let client: Redis;
let job: string;
let running: PartitionLeases | undefined;

const leaseKeys = () => [0, 1, 2, 3].map((partition) => keys.partitionLease(job, 'op', partition));
const owners = () => Promise.all(leaseKeys().map((lease) => client.get(lease)));

/** Worker `a` on four partitions; `closing` holds back the instances it closes, as a batch in progress would. */
async function startWorker(sliceSize: number, closing: Promise<void> = Promise.resolve()): Promise<{ gained: number[]; lost: number[] }> {
  const events = { gained: [] as number[], lost: [] as number[] };
  running = new PartitionLeases({
    connection: client,
    workerId: 'a',
    leaseKeys: leaseKeys(),
    sliceSize,
    aliveKey: keys.jobAlive(job),
    workersKey: keys.jobWorkers(job),
    takersKey: keys.jobTakers(job),
    leaseMs: LEASE_MS,
    heartbeatMs: HEARTBEAT_MS,
    logger,
    gained: async (index) => {
      events.gained.push(index);
    },
    lost: async (index) => {
      events.lost.push(index);
      await closing;
    },
  });
  await running.start();
  await waitFor('every partition taken', async () => (events.gained.length === 4 ? true : undefined));
  return events;
}

/** A taking beat of the newcomer `b`: the partitions it holds and those it must give back. */
async function newcomerBeat(): Promise<[number[], number[]]> {
  return (await heartbeatScript.run(client, [keys.jobAlive(job), keys.jobWorkers(job), keys.jobTakers(job), ...leaseKeys()], ['b', 60_000, '1', 2])) as [number[], number[]];
}

/** Waits until worker `a` has sent several more heartbeats (its score in the alive set is Redis time). */
async function severalBeatsOfA(): Promise<void> {
  const since = Number(await client.zscore(keys.jobAlive(job), 'a'));
  await waitFor('more heartbeats of a', async () => (Number(await client.zscore(keys.jobAlive(job), 'a')) >= since + LEASE_MS + HEARTBEAT_MS ? true : undefined));
}

beforeAll(async () => {
  client = await connectRedis(REDIS_URL);
});

beforeEach(() => {
  job = newJobId(Date.now());
});

afterAll(async () => {
  await running?.stop();
  await removePrefix(client, prefix);
  client?.disconnect();
});

describe('PartitionLeases when a worker joins', () => {
  it('gives the last slice back only once its instances have closed, renewing the leases meanwhile', async () => {
    let closed!: () => void;
    const events = await startWorker(2, new Promise<void>((resolve) => (closed = resolve)));
    expect(await newcomerBeat()).toEqual([[], []]);
    await waitFor('the last two partitions closing', async () => (events.lost.length === 2 ? true : undefined));
    expect(events.lost).toEqual([3, 2]);
    // Longer than a lease: still a's, so renewed, and nothing more given back while they are leaving.
    await severalBeatsOfA();
    expect(await owners()).toEqual(['a', 'a', 'a', 'a']);
    expect(events.lost).toEqual([3, 2]);

    closed();
    await waitFor('the leases released', async () => ((await owners()).join() === 'a,a,,' ? true : undefined));
    expect(await newcomerBeat()).toEqual([[-3, -4], []]);
    await severalBeatsOfA();
    expect(await owners()).toEqual(['a', 'a', 'b', 'b']);
    await running!.stop();
    await running!.release();
    expect(await owners()).toEqual([null, null, 'b', 'b']);
    expect(await client.smembers(keys.jobTakers(job))).not.toContain('a');
  });

  it('keeps every partition when it has no slice to give (rebalancing off)', async () => {
    const events = await startWorker(0);
    await newcomerBeat();
    await severalBeatsOfA();
    expect(events.lost).toEqual([]);
    expect(await owners()).toEqual(['a', 'a', 'a', 'a']);
    await running!.stop();
  });
});
