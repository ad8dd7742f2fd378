/**
 * Redis restarted mid-run: the keyed pipeline (100,000 records, keyed counter, idempotent sink) on two worker
 * processes against a private redis-server with append-only persistence (fsync on every write). The server is
 * shut down while records flow and started again on the same port and data; the submitter, the workers and
 * the sink reconnect, and the job completes with every record exactly once and per-key counts 1..n.
 */
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { expectKeyedExactlyOnce } from '../__fixtures__/keyed-sink-checks.js';
import { KEYED_RECORD_COUNT, keyedCounts, keyedSinkKey } from '../__fixtures__/pipelines/build-keyed-pipeline.js';
import { hasCommand, type PrivateRedis, startPrivateRedis, uniquePrefix } from '../__fixtures__/redis-fixtures.js';
import { FIXTURES, WorkerProcesses } from '../__fixtures__/worker-processes.js';
import { waitFor } from '../__fixtures__/wait-for.js';
import { JobStore } from '../job-store.js';
import { connectRedis } from '../redis-connection.js';
import type { JobResult } from '../../runtime/job-result.js';

const prefix = uniquePrefix('redis-restart');
let server: PrivateRedis;
let workers: WorkerProcesses;
let admin: Redis;
let store: JobStore;

describe.skipIf(!hasCommand('redis-server'))('a job while Redis restarts (append-only file on)', () => {
  beforeAll(async () => {
    server = await startPrivateRedis({ appendOnly: true });
    const url = `redis://127.0.0.1:${server.port}`;
    process.env.SAGE_TEST_REDIS = url;
    process.env.SAGE_TEST_PREFIX = prefix;
    workers = new WorkerProcesses(url, prefix);
    await Promise.all([workers.start(join(FIXTURES, 'pipelines')), workers.start(join(FIXTURES, 'pipelines'))]);
    admin = await connectRedis(url);
    store = await JobStore.connect({ redis: url, prefix });
  }, 60_000);

  afterAll(async () => {
    await workers?.stopAll();
    await store?.close().catch(() => undefined);
    admin?.disconnect();
    await server?.stop();
  });

  it('completes with every record exactly once and per-key counts 1..n', async () => {
    const sinkKey = keyedSinkKey('keyed-count-restart');
    const running = import('../__fixtures__/pipelines/keyed-count-restart.js') as Promise<{ result: JobResult; jobId: string }>;
    await waitFor('records at the sink', async () => ((await admin.hlen(sinkKey)) >= KEYED_RECORD_COUNT / 5 ? true : undefined));
    const atRestart = await admin.hlen(sinkKey);
    const restartedAt = Date.now();
    await server.restart({ downMs: 1_000 });
    console.log(`Redis restarted with ${atRestart} of ${KEYED_RECORD_COUNT} records at the sink, down ${Date.now() - restartedAt} ms`);

    const { result } = await running;
    await expectKeyedExactlyOnce(admin, 'keyed-count-restart', result, keyedCounts());
  }, 120_000);
});
