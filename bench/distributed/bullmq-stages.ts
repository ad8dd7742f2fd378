/**
 * The plain BullMQ contender: one queue per stage and one BullMQ job per record; each stage's worker adds the
 * record to the next stage's queue. Jobs are kept on completion (BullMQ's default), which is how run.ts sees the end.
 */
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { type Enriched, keep, latencyKey, now, parseEnrich, type RawRecord } from './pipelines/stages.js';

export const STAGES = ['parse-enrich', 'keep', 'latency'] as const;

export function bullPrefix(prefix: string): string {
  return `${prefix}:bull`;
}

export function connect(redis: string): Redis {
  return new Redis(redis, { maxRetriesPerRequest: null });
}

/** Starts a worker per stage in this process; resolves with a close() that also writes the sink's latencies. */
export async function startBullmqStages(redis: string, prefix: string, concurrency: number): Promise<() => Promise<void>> {
  const shared = connect(redis);
  const options = { connection: shared, prefix: bullPrefix(prefix) };
  const keepQueue = new Queue<Enriched>('keep', options);
  const sinkQueue = new Queue<Enriched>('latency', options);
  const samples: number[] = [];
  const workerOptions = () => ({ connection: connect(redis), prefix: bullPrefix(prefix), concurrency });
  const workers = [
    new Worker<RawRecord>('parse-enrich', async (job) => void (await keepQueue.add('r', parseEnrich(job.data))), workerOptions()),
    new Worker<Enriched>(
      'keep',
      async (job) => {
        if (keep(job.data)) await sinkQueue.add('r', job.data);
      },
      workerOptions(),
    ),
    new Worker<Enriched>('latency', async (job) => void samples.push(now() - job.data.created), workerOptions()),
  ];
  await Promise.all(workers.map((worker) => worker.waitUntilReady()));
  return async () => {
    await Promise.all(workers.map((worker) => worker.close()));
    await Promise.all([keepQueue.close(), sinkQueue.close()]);
    for (let i = 0; i < samples.length; i += 5_000) {
      await shared.rpush(latencyKey(prefix), ...samples.slice(i, i + 5_000).map((ms) => ms.toFixed(3)));
    }
    shared.disconnect();
  };
}
