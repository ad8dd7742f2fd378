/**
 * The setup shared by end-to-end test files: a key prefix of the file, worker processes running the fixture
 * pipelines, an admin connection and a job store, made in `beforeAll` and removed (with every key under the
 * prefix) in `afterAll`. Call it at the top level of a test file; read the fields inside tests.
 */
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { JobStore } from '../job-store.js';
import { RedisKeys } from '../keys.js';
import { connectRedis } from '../redis-connection.js';
import { REDIS_URL, removePrefix, uniquePrefix } from './redis-fixtures.js';
import { FIXTURES, WorkerProcesses } from './worker-processes.js';

export interface WorkerCluster {
  readonly prefix: string;
  readonly keys: RedisKeys;
  readonly workers: WorkerProcesses;
  /** Set in `beforeAll`. */
  admin: Redis;
  /** Set in `beforeAll`. */
  store: JobStore;
}

export function workerCluster(name: string, workerCount = 2): WorkerCluster {
  const prefix = uniquePrefix(name);
  const cluster = { prefix, keys: new RedisKeys(prefix), workers: new WorkerProcesses(REDIS_URL, prefix) } as WorkerCluster;
  beforeAll(async () => {
    // The pipeline modules read these, in this process and in the workers.
    process.env.SAGE_TEST_REDIS = REDIS_URL;
    process.env.SAGE_TEST_PREFIX = prefix;
    cluster.admin = await connectRedis(REDIS_URL);
    cluster.store = await JobStore.connect({ redis: REDIS_URL, prefix });
    await Promise.all(Array.from({ length: workerCount }, () => cluster.workers.start(join(FIXTURES, 'pipelines'))));
  }, 30_000);
  afterAll(async () => {
    await cluster.workers.stopAll();
    if (cluster.admin !== undefined) await removePrefix(cluster.admin, prefix);
    await cluster.store?.close();
    cluster.admin?.disconnect();
  });
  return cluster;
}
