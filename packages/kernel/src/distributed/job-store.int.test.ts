import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keysUnder, REDIS_URL, removePrefix, uniquePrefix } from './__fixtures__/redis-fixtures.js';
import type { JobGraphSummary, JobRecordStatus } from './job-record.js';
import { JobNotFoundError, JobStore } from './job-store.js';
import { RedisKeys } from './keys.js';
import { connectRedis } from './redis-connection.js';

const graph: JobGraphSummary = {
  operators: [
    { name: 'source', kind: 'fromBatch', parallelism: 1 },
    { name: 'split', kind: 'flatMap', parallelism: 2 },
    { name: 'count', kind: 'map', parallelism: 2 },
  ],
  edges: [
    { from: 'source', to: 'split', partitioner: 'rebalance' },
    { from: 'split', to: 'count', partitioner: 'hash' },
  ],
};

/** Wall time that only moves when a test says so. */
function manualTime(start = 1_800_000_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

const prefix = uniquePrefix('job-store');
const time = manualTime();
let store: JobStore;
let admin: Redis;

beforeAll(async () => {
  store = await JobStore.connect({ redis: REDIS_URL, prefix, now: time.now, maxLogEntries: 50 });
  admin = await connectRedis(REDIS_URL);
});

afterAll(async () => {
  await removePrefix(admin, prefix);
  expect(await keysUnder(admin, `${prefix}:*`)).toEqual([]);
  await store.close();
  admin.disconnect();
});

describe('JobStore lifecycle', () => {
  it('creates a submitted job with a time-sortable id and its graph', async () => {
    const job = await store.create({ name: 'wordcount', graph });
    expect(job).toMatchObject({ name: 'wordcount', status: 'submitted', submittedAt: new Date(time.now()).toISOString(), graph });
    expect(job.startedAt).toBeUndefined();
    expect(Object.keys(job.operators)).toEqual(['source', 'split', 'count']);
    expect(job.operators.split).toMatchObject({ name: 'split', kind: 'flatMap', parallelism: 2, recordsIn: 0, throughput: 0 });
    expect(await store.get(job.id)).toEqual(job);
  });

  it('moves submitted -> running -> finished, stamping start and end', async () => {
    const job = await store.create({ name: 'lifecycle', graph });
    time.advance(1000);
    expect(await store.transition(job.id, 'running')).toEqual({ applied: true, previous: 'submitted' });
    time.advance(2000);
    expect(await store.transition(job.id, 'finished')).toEqual({ applied: true, previous: 'running' });
    const finished = await store.get(job.id);
    expect(finished).toMatchObject({
      status: 'finished',
      startedAt: new Date(time.now() - 2000).toISOString(),
      endedAt: new Date(time.now()).toISOString(),
    });
  });

  it('refuses forbidden transitions and says which status the job is in', async () => {
    const job = await store.create({ name: 'forbidden', graph });
    expect(await store.transition(job.id, 'finished')).toEqual({ applied: false, current: 'submitted' });
    await store.transition(job.id, 'running');
    expect(await store.transition(job.id, 'running')).toEqual({ applied: false, current: 'running' });
    expect(await store.transition(job.id, 'submitted')).toEqual({ applied: false, current: 'running' });
    await store.transition(job.id, 'finished');
    for (const status of ['running', 'failed', 'stopped', 'submitted'] as JobRecordStatus[]) {
      expect(await store.transition(job.id, status)).toEqual({ applied: false, current: 'finished' });
    }
    expect((await store.get(job.id))!.status).toBe('finished');
  });

  it('records why a job failed', async () => {
    const job = await store.create({ name: 'failing', graph });
    await store.transition(job.id, 'running');
    await store.transition(job.id, 'failed', { error: { message: 'operator "split" failed on record 3: boom', code: 'SAGE_OPERATOR' } });
    expect(await store.get(job.id)).toMatchObject({
      status: 'failed',
      error: { message: 'operator "split" failed on record 3: boom', code: 'SAGE_OPERATOR' },
    });
  });

  it('lets exactly one of many concurrent transitions win', async () => {
    const job = await store.create({ name: 'race', graph });
    await store.transition(job.id, 'running');
    const clients = await Promise.all([1, 2, 3, 4].map(() => JobStore.connect({ redis: REDIS_URL, prefix, now: time.now })));
    try {
      const results = await Promise.all(
        clients.map((client, index) => client.transition(job.id, (['finished', 'failed', 'stopped', 'finished'] as const)[index])),
      );
      expect(results.filter((result) => result.applied)).toHaveLength(1);
    } finally {
      await Promise.all(clients.map((client) => client.close()));
    }
  });

  it('throws JobNotFoundError for an unknown or malformed id, and get() says undefined', async () => {
    for (const id of ['000000000-aaaaaa', 'nope', '*']) {
      expect(await store.get(id)).toBeUndefined();
      await expect(store.transition(id, 'running')).rejects.toBeInstanceOf(JobNotFoundError);
      await expect(store.requestStop(id)).rejects.toThrow(`no job "${id}"`);
    }
    for (const id of ['000000000-aaaaaa', 'nope']) {
      await expect(store.mergeMetrics(id, { map: { recordsIn: 1 } })).rejects.toBeInstanceOf(JobNotFoundError);
      await expect(store.appendLogs(id, [{ message: 'x' }])).rejects.toBeInstanceOf(JobNotFoundError);
    }
    await expect(store.isStopRequested('nope')).rejects.toBeInstanceOf(JobNotFoundError);
    await expect(store.readLogs('nope')).rejects.toBeInstanceOf(JobNotFoundError);
    expect(await store.readLogs('000000000-aaaaaa')).toEqual([]);
    expect(await keysUnder(admin, `${prefix}:job:000000000-aaaaaa*`)).toEqual([]);
  });

  it('validates what it stores', async () => {
    await expect(store.create({ name: '', graph })).rejects.toThrow('job name must be a non-empty string');
    await expect(store.create({ name: 'x', graph: { operators: [{ name: 'a' }] } as never })).rejects.toThrow('job graph must be');
    await expect(store.transition('000000000-aaaaaa', 'done' as never)).rejects.toThrow('job status must be one of');
  });
});

describe('JobStore stop requests', () => {
  it('stops a job that has not started at once', async () => {
    const job = await store.create({ name: 'stop-early', graph });
    expect(await store.requestStop(job.id)).toEqual({ outcome: 'stopped', status: 'submitted' });
    expect(await store.get(job.id)).toMatchObject({ status: 'stopped', endedAt: new Date(time.now()).toISOString() });
    expect(await store.transition(job.id, 'running')).toEqual({ applied: false, current: 'stopped' });
  });

  it('flags a running job and tells its executor on the control channel', async () => {
    const job = await store.create({ name: 'stop-running', graph });
    await store.transition(job.id, 'running');
    const heard: string[] = [];
    let told: () => void = () => {};
    const stopped = new Promise<void>((resolve) => {
      told = resolve;
    });
    const stopListening = await store.onStopRequested(job.id, () => {
      heard.push('stop');
      told();
    });
    try {
      expect(await store.isStopRequested(job.id)).toBe(false);
      expect(await store.requestStop(job.id)).toEqual({ outcome: 'requested', status: 'running' });
      await stopped;
      expect(heard).toEqual(['stop']);
      expect(await store.isStopRequested(job.id)).toBe(true);
      expect(await store.get(job.id)).toMatchObject({ status: 'running', stopRequestedAt: new Date(time.now()).toISOString() });
      // Asking again changes nothing; the executor then stops the job.
      expect(await store.requestStop(job.id)).toEqual({ outcome: 'requested', status: 'running' });
      expect(await store.transition(job.id, 'stopped')).toEqual({ applied: true, previous: 'running' });
    } finally {
      await stopListening();
    }
  });

  it('tells a listener that subscribes after the request, once', async () => {
    const job = await store.create({ name: 'stop-before-listen', graph });
    await store.transition(job.id, 'running');
    await store.requestStop(job.id);
    let calls = 0;
    const stopListening = await store.onStopRequested(job.id, () => calls++);
    await store.requestStop(job.id);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await stopListening();
    expect(calls).toBe(1);
  });

  it('is a no-op that says so on a job that has ended', async () => {
    const job = await store.create({ name: 'stop-late', graph });
    await store.transition(job.id, 'running');
    await store.transition(job.id, 'finished');
    expect(await store.requestStop(job.id)).toEqual({ outcome: 'ended', status: 'finished' });
    expect(await store.get(job.id)).toMatchObject({ status: 'finished' });
    expect((await store.get(job.id))!.stopRequestedAt).toBeUndefined();
  });
});

describe('JobStore metrics', () => {
  it('adds up concurrent merges from several connections exactly', async () => {
    const job = await store.create({ name: 'metrics', graph });
    await store.transition(job.id, 'running');
    const workers = await Promise.all([1, 2, 3, 4].map(() => JobStore.connect({ redis: REDIS_URL, prefix })));
    const rounds = 50;
    try {
      await Promise.all(
        workers.map(async (worker, index) => {
          for (let round = 0; round < rounds; round++) {
            await worker.mergeMetrics(job.id, {
              split: { recordsIn: 3, recordsOut: 7, batchesIn: 1, busyMs: 0.25, maxQueueDepth: index * 10 + (round % 5) },
              count: { recordsIn: 7, errors: round === 0 ? 1 : 0, skipped: 1, retries: 2 },
            });
          }
        }),
      );
    } finally {
      await Promise.all(workers.map((worker) => worker.close()));
    }
    time.advance(2000);
    const { operators } = (await store.get(job.id))!;
    const merges = workers.length * rounds;
    expect(operators.split).toMatchObject({
      recordsIn: 3 * merges,
      recordsOut: 7 * merges,
      batchesIn: merges,
      busyMs: 0.25 * merges,
      maxQueueDepth: 34,
      meanBatchSize: 3,
      throughput: (3 * merges) / 2,
    });
    expect(operators.count).toMatchObject({ recordsIn: 7 * merges, errors: 4, skipped: merges, retries: 2 * merges, kind: 'map' });
    expect(operators.source.recordsIn).toBe(0);
  });

  it('keeps metrics of operators the graph does not name, and refuses unknown metrics', async () => {
    const job = await store.create({ name: 'metrics-extra', graph });
    await store.mergeMetrics(job.id, { 'side:output': { recordsOut: 2 } });
    expect((await store.get(job.id))!.operators['side:output']).toMatchObject({ recordsOut: 2, kind: 'unknown', parallelism: 0 });
    await expect(store.mergeMetrics(job.id, { split: { latency: 1 } as never })).rejects.toThrow('unknown metric "latency"');
    await expect(store.mergeMetrics(job.id, { split: { recordsIn: 1.5 } })).rejects.toThrow('must be a whole number >= 0');
    await expect(store.mergeMetrics(job.id, { split: { busyMs: -1 } })).rejects.toThrow('must be a number >= 0');
  });
});

describe('JobStore list', () => {
  const listPrefix = uniquePrefix('job-list');
  const listTime = manualTime(1_900_000_000_000);
  let listStore: JobStore;
  const ids: string[] = [];

  beforeAll(async () => {
    listStore = await JobStore.connect({ redis: REDIS_URL, prefix: listPrefix, now: listTime.now });
    for (const name of ['first', 'second', 'third', 'fourth']) {
      ids.push((await listStore.create({ name, graph })).id);
      listTime.advance(1000);
    }
    await listStore.transition(ids[1], 'running');
    await listStore.transition(ids[2], 'running');
    await listStore.transition(ids[2], 'failed', { error: { message: 'boom', code: 'SAGE_OPERATOR' } });
  });
  afterAll(async () => {
    await removePrefix(admin, listPrefix);
    await listStore.close();
  });

  it('lists newest first', async () => {
    const jobs = await listStore.list();
    expect(jobs.map((job) => job.name)).toEqual(['fourth', 'third', 'second', 'first']);
    expect(jobs[1]).toEqual({
      id: ids[2],
      name: 'third',
      status: 'failed',
      submittedAt: new Date(1_900_000_002_000).toISOString(),
      startedAt: new Date(1_900_000_004_000).toISOString(),
      endedAt: new Date(1_900_000_004_000).toISOString(),
      error: { message: 'boom', code: 'SAGE_OPERATOR' },
    });
    expect((await listStore.list({ limit: 2 })).map((job) => job.name)).toEqual(['fourth', 'third']);
  });

  it('filters by status, following transitions', async () => {
    expect((await listStore.list({ status: 'submitted' })).map((job) => job.name)).toEqual(['fourth', 'first']);
    expect((await listStore.list({ status: 'running' })).map((job) => job.name)).toEqual(['second']);
    expect((await listStore.list({ status: 'failed' })).map((job) => job.name)).toEqual(['third']);
    expect(await listStore.list({ status: 'finished' })).toEqual([]);
  });

  it('does not see jobs of another prefix', async () => {
    expect((await store.list()).map((job) => job.id)).not.toContain(ids[0]);
    expect(await listStore.get((await store.list({ limit: 1 }))[0].id)).toBeUndefined();
  });
});

describe('JobStore logs', () => {
  it('keeps about maxLogEntries lines and returns the tail in order', async () => {
    const job = await store.create({ name: 'logs', graph });
    for (let batch = 0; batch < 10; batch++) {
      await store.appendLogs(
        job.id,
        Array.from({ length: 50 }, (_, index) => ({ message: `line ${batch * 50 + index}`, source: 'worker-1', level: 'info' as const })),
      );
    }
    const length = await admin.xlen(new RedisKeys(prefix).jobLogs(job.id));
    // MAXLEN ~ trims whole stream nodes (100 entries by default), so a little more than the cap may stay.
    expect(length).toBeGreaterThanOrEqual(50);
    expect(length).toBeLessThanOrEqual(150);
    const tail = await store.readLogs(job.id, { tail: 3 });
    expect(tail.map((entry) => entry.message)).toEqual(['line 497', 'line 498', 'line 499']);
    expect(tail[0]).toMatchObject({ level: 'info', source: 'worker-1', time: new Date(time.now()).toISOString() });
  });

  it('follows new lines until the job ends', async () => {
    const job = await store.create({ name: 'follow', graph });
    await store.transition(job.id, 'running');
    await store.appendLogs(job.id, [{ message: 'before' }]);
    const [before] = await store.readLogs(job.id, { tail: 1 });
    const seen: string[] = [];
    const following = (async () => {
      for await (const entry of store.followLogs(job.id, { after: before.id, blockMs: 50 })) seen.push(entry.message);
    })();
    await store.appendLogs(job.id, [{ message: 'one' }, { message: 'two', level: 'warn' }]);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await store.appendLogs(job.id, [{ message: 'last' }]);
    await store.transition(job.id, 'finished');
    await following;
    expect(seen).toEqual(['one', 'two', 'last']);
  });

  it('gives what is left of an ended job, then ends', async () => {
    const job = await store.create({ name: 'follow-ended', graph });
    await store.transition(job.id, 'running');
    await store.appendLogs(job.id, [{ message: 'a' }, { message: 'b' }, { message: 'c' }]);
    await store.transition(job.id, 'failed', { error: { message: 'boom' } });
    const [first] = await store.readLogs(job.id, { tail: 3 });
    const seen: string[] = [];
    for await (const entry of store.followLogs(job.id, { after: first.id, blockMs: 20 })) seen.push(entry.message);
    expect(seen).toEqual(['b', 'c']);
    expect((await store.get(job.id))!.error).toEqual({ message: 'boom', code: 'SAGE_UNKNOWN' });
  });

  it('stops following when the signal aborts', async () => {
    const job = await store.create({ name: 'follow-abort', graph });
    await store.transition(job.id, 'running');
    const controller = new AbortController();
    const seen: string[] = [];
    const following = (async () => {
      for await (const entry of store.followLogs(job.id, { signal: controller.signal, blockMs: 5000 })) {
        seen.push(entry.message);
        controller.abort();
      }
    })();
    await store.appendLogs(job.id, [{ message: 'only' }]);
    const started = Date.now();
    await following;
    expect(seen).toEqual(['only']);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe('JobStore delete', () => {
  it('removes every key of the job and its index entries', async () => {
    const keys = new RedisKeys(prefix);
    const job = await store.create({ name: 'delete-me', graph });
    await store.transition(job.id, 'running');
    await store.mergeMetrics(job.id, { split: { recordsIn: 1 } });
    await store.appendLogs(job.id, [{ message: 'hello' }]);
    // Stand-ins for the executor's BullMQ queues under the job's queue prefix.
    await admin.set(`${keys.queuePrefix(job.id)}:split.0:meta`, 'x');
    await admin.hset(`${keys.queuePrefix(job.id)}:split.1:b0.0.1`, 'data', '[]');
    await expect(store.delete(job.id)).rejects.toThrow(`job "${job.id}" is running: stop it before deleting it`);
    await store.transition(job.id, 'stopped');
    expect(await store.delete(job.id)).toBe(true);
    expect(await keysUnder(admin, `${keys.job(job.id)}*`)).toEqual([]);
    for (const index of [keys.jobIndex(), keys.statusIndex('stopped'), keys.statusIndex('running')]) {
      expect(await admin.zscore(index, job.id)).toBeNull();
    }
    expect(await store.get(job.id)).toBeUndefined();
    expect(await store.delete(job.id)).toBe(false);
  });

  it('deletes a running job with force', async () => {
    const job = await store.create({ name: 'delete-forced', graph });
    await store.transition(job.id, 'running');
    expect(await store.delete(job.id, { force: true })).toBe(true);
    expect(await store.list({ status: 'running' })).not.toContainEqual(expect.objectContaining({ id: job.id }));
  });
});

describe('JobStore requirements', () => {
  it('checks the real server', async () => {
    const findings = await store.checkRequirements();
    expect(findings.filter((finding) => finding.level === 'error')).toEqual([]);
  });
});
