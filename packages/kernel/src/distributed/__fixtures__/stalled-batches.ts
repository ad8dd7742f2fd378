import type { Redis } from 'ioredis';
import { queueName, type RedisKeys } from '../keys.js';

/**
 * Batches BullMQ has put back in their queue because their worker stopped renewing the lock ('stalled' events)
 * in the given partitions of a job: a dead worker's batches in progress, which the new owner re-runs.
 */
export async function stalledBatches(admin: Redis, keys: RedisKeys, jobId: string, partitions: ReadonlyArray<{ operator: string; partition: number }>): Promise<number> {
  let total = 0;
  for (const { operator, partition } of partitions) {
    const events = await admin.xrange(`${keys.queuePrefix(jobId)}:${queueName(operator, partition)}:events`, '-', '+');
    total += events.filter(([, fields]) => fields[1] === 'stalled').length;
  }
  return total;
}
