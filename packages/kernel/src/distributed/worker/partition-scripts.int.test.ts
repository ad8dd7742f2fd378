/** The partition scripts on the shared Redis, under a prefix of this file: leases, fair shares, fenced commits. */
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { REDIS_URL, removePrefix, uniquePrefix } from '../__fixtures__/redis-fixtures.js';
import { newJobId } from '../job-record.js';
import { RedisKeys } from '../keys.js';
import { connectRedis } from '../redis-connection.js';
import { commitBatchScript, handOverScript, heartbeatScript, releaseScript } from './partition-scripts.js';

const prefix = uniquePrefix('partition-scripts');
const keys = new RedisKeys(prefix);
let client: Redis;
let job: string;

/** Partitions of the job under test: 5 unless a test says otherwise. */
let partitionCount = 5;
const leases = () => Array.from({ length: partitionCount }, (_, partition) => keys.partitionLease(job, 'op', partition));

/** The positions the worker holds after the beat (negative: just taken), as the script returns them. */
async function beat(worker: string, take: boolean, leaseMs = 5_000): Promise<number[]> {
  const [held, given] = await beatGiving(worker, take, { leaseMs });
  expect(given, `partitions ${worker} gives back`).toEqual([]);
  return held;
}

/** A beat that may give partitions back (at most `slice`, default 2, at once): both lists of the script's answer. */
async function beatGiving(worker: string, take: boolean, options: { leaseMs?: number; slice?: number; leaving?: number[] } = {}): Promise<[number[], number[]]> {
  const argv = [worker, options.leaseMs ?? 5_000, take ? '1' : '0', options.slice ?? 2, ...(options.leaving ?? [])];
  return (await heartbeatScript.run(client, [keys.jobAlive(job), keys.jobWorkers(job), keys.jobTakers(job), ...leases()], argv)) as [number[], number[]];
}

/** Beats of every worker in turn, each releasing at once what it is told to give back (its batches done). */
async function balanceRounds(workers: readonly string[], rounds: number): Promise<number[]> {
  for (let round = 0; round < rounds; round++) {
    for (const worker of workers) {
      const [, given] = await beatGiving(worker, true);
      await handOverScript.run(client, given.map((position) => leases()[position - 1]!), [worker]);
    }
  }
  const all = await owners();
  return workers.map((worker) => all.filter((owner) => owner === worker).length);
}

/** The lease owner of each partition. */
function owners(): Promise<Array<string | null>> {
  return Promise.all(leases().map((lease) => client.get(lease)));
}

function commit(worker: string, sequence: number, options: { end?: boolean; state?: Array<[string, string]>; sequences?: Array<[string, number]> } = {}): Promise<unknown> {
  const state = options.state ?? [];
  const sequences = options.sequences ?? [];
  return commitBatchScript.run(
    client,
    [
      keys.partitionLease(job, 'op', 0),
      keys.partitionDone(job, 'op', 0),
      keys.partitionSequences(job, 'op', 0),
      keys.partitionState(job, 'op', 0),
      keys.partitionEnds(job, 'op', 0),
      keys.sinksDone(job),
      keys.job(job),
      keys.jobMetrics(job),
    ],
    [worker, '0.1', sequence, options.end ? '1' : '0', options.end ? 'op.0' : '', sequences.length, state.length, ...sequences.flat(), ...state.flat(), 'i', 'recordsIn:op', 10],
  );
}

beforeAll(async () => {
  client = await connectRedis(REDIS_URL);
});

beforeEach(async () => {
  job = newJobId(Date.now());
  partitionCount = 5;
  await client.hset(keys.job(job), 'status', 'running');
});

afterAll(async () => {
  await removePrefix(client, prefix);
  client?.disconnect();
});

describe('heartbeat', () => {
  it('announces without taking, then takes a fair share: ceil(partitions / live workers)', async () => {
    expect(await beat('a', false)).toEqual([]);
    expect(await beat('b', false)).toEqual([]);
    expect(await beat('a', true)).toEqual([-1, -2, -3]);
    expect(await beat('b', true)).toEqual([-4, -5]);
    // Renewed on the next beat (positive), nothing more taken.
    expect(await beat('a', true)).toEqual([1, 2, 3]);
    expect(await client.smembers(keys.jobWorkers(job))).toEqual(expect.arrayContaining(['a', 'b']));
  });

  it('forgets a silent worker, whose partitions another takes once its leases expire', async () => {
    await beat('a', false, 100);
    await beat('b', false, 100);
    await beat('a', true, 100);
    await beat('b', true, 100);
    await new Promise((resolve) => setTimeout(resolve, 150));
    // Both leases and heartbeats expired; b beats alone and takes everything.
    expect(await beat('b', true, 100)).toEqual([-1, -2, -3, -4, -5]);
    expect(await client.zrange(keys.jobAlive(job), '0', '-1')).toEqual(['b']);
    expect(await client.smembers(keys.jobWorkers(job))).toEqual(['b']);
  });

  it('release deletes only the worker\'s own leases', async () => {
    await beat('a', false);
    await beat('b', false);
    await beat('a', true);
    await beat('b', true);
    expect(await releaseScript.run(client, [keys.jobAlive(job), keys.jobTakers(job), ...leases()], ['a'])).toBe(3);
    expect(await client.smembers(keys.jobTakers(job))).toEqual(['b']);
    expect(await Promise.all(leases().map((lease) => client.get(lease)))).toEqual([null, null, null, 'b', 'b']);
  });
});

describe('rebalancing when workers join', () => {
  it('gives back the last partitions of a worker above its share once a newcomer takes, and never below the share', async () => {
    await beat('a', false);
    expect(await beat('a', true)).toEqual([-1, -2, -3, -4, -5]);
    // b announces and is still starting: it is no taker yet, so a keeps everything.
    expect(await beat('b', false)).toEqual([]);
    expect(await beatGiving('a', true)).toEqual([[1, 2, 3, 4, 5], []]);
    // b's first taking beat finds nothing free; at its next beat a gives back a slice of two (5 > ceil(5 / 2) = 3)
    // from the end.
    expect(await beat('b', true)).toEqual([]);
    expect(await beatGiving('a', true)).toEqual([[1, 2, 3], [5, 4]]);
    // While a closes them, its beats renew them but give nothing more (they count as free).
    expect(await beatGiving('a', true, { leaving: [4, 5] })).toEqual([[1, 2, 3], []]);
    expect(await handOverScript.run(client, [leases()[3]!, leases()[4]!, leases()[0]!], ['b'])).toBe(0);
    expect(await handOverScript.run(client, [leases()[3]!, leases()[4]!], ['a'])).toBe(2);
    expect(await beat('b', true)).toEqual([-4, -5]);
    // 3 and 2 of 5: balanced, nothing moves any more.
    expect(await beat('a', true)).toEqual([1, 2, 3]);
    expect(await beat('b', true)).toEqual([4, 5]);
    expect(await owners()).toEqual(['a', 'a', 'a', 'b', 'b']);
  });

  it('balances three takers to 2, 2, 1 one hand-over at a time, the fewest-holding worker taking what is freed', async () => {
    await beat('a', true);
    await beat('b', false);
    await beat('c', false);
    await beat('b', true);
    await beat('c', true);
    expect((await owners()).every((owner) => owner === 'a')).toBe(true);
    expect((await balanceRounds(['a', 'b', 'c'], 6)).sort()).toEqual([1, 2, 2]);
    // Balanced: a further round gives nothing back.
    for (const worker of ['a', 'b', 'c']) expect((await beatGiving(worker, true))[1]).toEqual([]);
  });

  it('gives a fourth taker partitions from three at the upper share (3, 3, 3 -> 3, 2, 2, 2), then nothing moves', async () => {
    partitionCount = 9;
    for (const worker of ['a', 'b', 'c']) await beat(worker, false);
    for (const worker of ['a', 'b', 'c']) await beat(worker, true);
    expect(await balanceRounds(['a', 'b', 'c'], 1)).toEqual([3, 3, 3]);
    await beat('d', false);
    expect(await beat('d', true)).toEqual([]);
    expect((await balanceRounds(['a', 'b', 'c', 'd'], 4)).sort()).toEqual([2, 2, 2, 3]);
    for (const worker of ['a', 'b', 'c', 'd']) expect((await beatGiving(worker, true))[1]).toEqual([]);
  });

  it('gives nothing back while a partition is free', async () => {
    await beat('a', true);
    await beat('b', true);
    await client.del(leases()[0]!);
    // a neither takes the free partition (b holds fewer) nor gives one back until b has taken it.
    expect(await beatGiving('a', true)).toEqual([[2, 3, 4, 5], []]);
    expect(await beat('b', true)).toEqual([-1]);
    expect(await beatGiving('a', true)).toEqual([[2, 3, 4], [5]]);
  });
});

describe('commit', () => {
  it('applies sequences, state, end marker, finished sink and metrics together, for the lease owner only', async () => {
    await client.set(keys.partitionLease(job, 'op', 0), 'a');
    expect(await commit('b', 0)).toBe('lease');
    expect(await client.exists(keys.partitionDone(job, 'op', 0), keys.jobMetrics(job))).toBe(0);

    expect(await commit('a', 0, { state: [['"k"', '{"n":1}']], sequences: [['next.0#0', 4]] })).toBe('ok');
    expect(await client.hgetall(keys.partitionState(job, 'op', 0))).toEqual({ '"k"': '{"n":1}' });
    expect(await client.hgetall(keys.partitionSequences(job, 'op', 0))).toEqual({ 'next.0#0': '4' });
    expect(await client.hget(keys.jobMetrics(job), 'recordsIn:op')).toBe('10');

    // A replay of sequence 0 changes nothing, metrics included.
    expect(await commit('a', 0, { state: [['"k"', '{"n":2}']] })).toBe('done');
    expect(await client.hget(keys.partitionState(job, 'op', 0), '"k"')).toBe('{"n":1}');
    expect(await client.hget(keys.jobMetrics(job), 'recordsIn:op')).toBe('10');

    expect(await commit('a', 1, { end: true, state: [['"k"', '']] })).toBe('ok');
    expect(await client.hlen(keys.partitionState(job, 'op', 0))).toBe(0);
    expect(await client.smembers(keys.partitionEnds(job, 'op', 0))).toEqual(['0.1']);
    expect(await client.smembers(keys.sinksDone(job))).toEqual(['op.0']);
    expect(await client.hget(keys.jobMetrics(job), 'recordsIn:op')).toBe('20');
  });
});
