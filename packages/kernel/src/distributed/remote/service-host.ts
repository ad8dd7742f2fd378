/**
 * The submitting side of a remote job's services: each registered service runs once, in the submitting process
 * (`ServiceRegistry`), and answers the calls workers put on its BullMQ queue (`<p>:job:<id>:svc`, one queue per
 * service). A call's job always completes, with a `ServiceReply` holding the result or the error the method
 * threw, so that BullMQ's own failure handling never rewrites the error.
 */
import { type Logger, ServiceTimeoutError } from '@sage/common';
import { type Job, Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { ServiceRegistry } from '../../services/service-registry.js';
import { type RedisKeys, serviceQueueName } from '../keys.js';
import { decodeValue, encodeError, encodeValue, type ServiceCallData, type ServiceReply } from './service-codec.js';

/** Calls one service answers at once: as in a local job, calls from many instances run concurrently. */
const CALL_CONCURRENCY = 64;

export class ServiceHost {
  private readonly workers: Worker[] = [];

  constructor(
    private readonly registry: ServiceRegistry,
    private readonly names: readonly string[],
    private readonly connection: Redis,
    private readonly keys: RedisKeys,
    private readonly jobId: string,
    private readonly logger: Logger,
  ) {}

  /** Starts answering calls (the registry's services must have started). */
  start(): void {
    for (const name of this.names) {
      const worker = new Worker(serviceQueueName(name), (job: Job) => this.answer(name, job.data as ServiceCallData), {
        connection: this.connection,
        prefix: this.keys.serviceQueuePrefix(this.jobId),
        concurrency: CALL_CONCURRENCY,
        drainDelay: 1,
      });
      worker.on('error', (error) => this.logger.warn({ err: error, service: name }, 'service queue error'));
      this.workers.push(worker);
    }
  }

  /** Stops answering and removes the service queues with whatever calls they still hold. */
  async close(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.close()));
    this.workers.length = 0;
    await Promise.all(
      this.names.map(async (name) => {
        const queue = new Queue(serviceQueueName(name), { connection: this.connection, prefix: this.keys.serviceQueuePrefix(this.jobId) });
        try {
          await queue.obliterate({ force: true });
        } finally {
          await queue.close();
        }
      }),
    );
  }

  private async answer(name: string, call: ServiceCallData): Promise<ServiceReply> {
    const remaining = call.deadline - Date.now();
    // The caller has given up on this call already: running it now would only add a late side effect.
    if (remaining <= 0) return { ok: false, error: encodeError(new ServiceTimeoutError(name, call.method, call.timeoutMs)) };
    try {
      const args = decodeValue(call.args) as unknown[];
      // The caller's own timer, started first, decides the timeout; this one only bounds a call nobody awaits.
      const value = await this.registry.call(name, { method: call.method, args, timeout: call.timeoutMs });
      return { ok: true, value: encodeValue(value, `the result of ${name}.${call.method}`) };
    } catch (error) {
      return { ok: false, error: encodeError(error) };
    }
  }
}
