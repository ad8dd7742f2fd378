/**
 * The keyed test pipeline, built the same way in a LocalEnvironment and a RemoteEnvironment:
 * source -> map (parallelism 3) -> keyBy -> map with a per-key counter in keyed state (parallelism 3) -> sink
 * (parallelism 3). The sink is idempotent: it sets field `<id>` of a Redis hash to `<key>:<count>`, so a record
 * written twice leaves one field, and the counts of a key must be exactly 1..n.
 */
import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';
import type { BaseEnvironment } from '../../../api/environment.js';
import { MapFunction, SinkFunction } from '../../../api/functions.js';
import { RemoteEnvironment } from '../../../api/remote-environment.js';
import type { JobResult } from '../../../runtime/job-result.js';
import { connectRedis } from '../../redis-connection.js';
import { fixtureSettings } from './build-pipeline.js';

export const KEYED_RECORD_COUNT = 100_000;
export const KEY_COUNT = 97;

export interface Reading {
  id: number;
  key: string;
  value?: number;
  count?: number;
}

/** Counts the records of each key in keyed state and passes the count on. */
class CountPerKey extends MapFunction<Reading, Reading> {
  override execute(record: Reading): Reading {
    const count = this.ctx.state.value<number>('count', 0);
    const next = count.get()! + 1;
    count.set(next);
    return { ...record, count: next };
  }
}

/** Sets `<id>` -> `<key>:<count>` in a hash; each record's write is awaited before its batch completes. */
class RedisHashSink extends SinkFunction<Reading, { key: string }> {
  private client: Redis | undefined;

  override async open(): Promise<void> {
    this.client = await connectRedis(fixtureSettings().redis, { kind: 'runtime' });
  }

  override async execute(record: Reading): Promise<void> {
    await this.client!.hset(this.config.key, String(record.id), `${record.key}:${record.count}`);
  }

  override async close(): Promise<void> {
    await this.client?.quit();
  }
}

/** The pipeline's input: `KEYED_RECORD_COUNT` readings spread over `KEY_COUNT` keys. */
export function keyedReadings(): Reading[] {
  return Array.from({ length: KEYED_RECORD_COUNT }, (_, id): Reading => ({ id, key: `k${(id * 31) % KEY_COUNT}` }));
}

/** How many records of `keyedReadings()` each key has. */
export function keyedCounts(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const { key } of keyedReadings()) counts.set(key, (counts.get(key) ?? 0) + 1);
  return counts;
}

export function buildKeyedPipeline(env: BaseEnvironment, options: { sinkKey: string }): void {
  env
    .fromBatch(keyedReadings(), { name: 'readings' })
    .map((record: Reading) => ({ ...record, value: record.id % 10 }), { name: 'enrich', parallelism: 3 })
    .keyBy((record: Reading) => record.key)
    .map(CountPerKey, {}, { name: 'count', parallelism: 3 })
    .sink(RedisHashSink, { key: options.sinkKey }, { name: 'store', parallelism: 3, concurrency: 64 });
}

/** The hash the sink of job `name` writes to. */
export function keyedSinkKey(name: string): string {
  return `${fixtureSettings().prefix}:sink:${name}`;
}

/** Submits the keyed pipeline from module `moduleUrl` as job `name` (what a pipeline module awaits at top level). */
export async function submitKeyedJob(name: string, moduleUrl: string): Promise<{ result: JobResult; jobId: string }> {
  const { redis, prefix } = fixtureSettings();
  const env = new RemoteEnvironment(name, { redis, prefix, module: fileURLToPath(moduleUrl), handleSignals: false });
  buildKeyedPipeline(env, { sinkKey: keyedSinkKey(name) });
  const result = await env.submit({ autostop: true });
  return { result, jobId: env.jobId! };
}
