/**
 * The BullMQ queues of one job: one per (operator, partition), under `RedisKeys.queuePrefix(jobId)`, opened
 * lazily on one shared connection. Each queue admits one active batch at a time across every worker
 * (`setGlobalConcurrency(1)`), so a partition's batches are processed in order.
 */
import type { Logger } from '@sage/common';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { queueName, type RedisKeys } from '../keys.js';

/**
 * What one BullMQ job of a partition queue carries, from input `edge`, upstream instance `from`, numbered
 * `sequence` in that upstream's stream to this partition: a batch (with its records' event-time timestamps when
 * they have them, `null` for a record without one; `typed` when records hold typed arrays in their wire form),
 * the upstream's watermark or idleness, or its end.
 */
export type BatchJobData = { edge: number; from: number; sequence: number } & (
  | { records: unknown[]; timestamps?: Array<number | null>; typed?: true }
  | { watermark: number }
  | { idle: boolean }
  | { end: true }
);

export class JobQueues {
  private readonly queues = new Map<string, Queue>();

  constructor(
    private readonly connection: Redis,
    private readonly keys: RedisKeys,
    readonly jobId: string,
    /** Receives the queues' connection errors (while Redis restarts), once per distinct message. */
    private readonly logger?: Logger,
  ) {}

  get prefix(): string {
    return this.keys.queuePrefix(this.jobId);
  }

  queue(operator: string, partition: number): Queue {
    const name = queueName(operator, partition);
    let queue = this.queues.get(name);
    if (queue === undefined) {
      queue = new Queue(name, { connection: this.connection, prefix: this.prefix });
      // Without a listener BullMQ prints every reconnection error; the connection retries by itself.
      queue.on('error', (error) => this.reportError(name, error));
      this.queues.set(name, queue);
    }
    return queue;
  }

  private lastError: string | undefined;

  private reportError(queue: string, error: Error): void {
    if (error.message === this.lastError) return;
    this.lastError = error.message;
    this.logger?.warn({ queue, cause: error.message }, 'queue connection error; retrying');
  }

  /** Creates the queues with global concurrency 1 before any worker takes from them. */
  async prepare(partitions: ReadonlyArray<{ operator: string; partition: number }>): Promise<void> {
    await Promise.all(partitions.map(({ operator, partition }) => this.queue(operator, partition).setGlobalConcurrency(1)));
  }

  /** Removes every queue's keys, also of batches still waiting or active. */
  async obliterate(): Promise<void> {
    await Promise.all([...this.queues.values()].map((queue) => queue.obliterate({ force: true })));
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((queue) => queue.close()));
    this.queues.clear();
  }
}
