/**
 * `ctx.callService` on a worker: each call becomes one BullMQ job on the service's queue, answered by the one
 * instance of the service in the submitting process (`ServiceHost`); the caller waits for the job's completion
 * event. Errors are those of a local call: `ServiceNotFoundError` for a name the job did not register,
 * `ServiceTimeoutError` when no reply came within the timeout, and the method's own error rebuilt from the reply.
 */
import { ServiceNotFoundError, ServiceTimeoutError } from '@sage/common';
import { Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import type { ServiceCallOptions } from '../../api/function-context.js';
import type { Clock } from '../../runtime/clock.js';
import { DEFAULT_SERVICE_TIMEOUT_MS, type ServiceCaller } from '../../services/service-registry.js';
import { type RedisKeys, serviceQueueName } from '../keys.js';
import { decodeError, decodeValue, encodeValue, type ServiceCallData, type ServiceReply } from './service-codec.js';

/**
 * Answered calls are removed a minute after they complete, not at once: `waitUntilFinished` reads a call that
 * completed before its listener was in place from the job itself. A call that timed out is removed by the
 * caller if still waiting; the queues go when the job ends.
 */
const CALL_JOB_OPTIONS = { removeOnComplete: { age: 60 }, removeOnFail: { age: 60 }, attempts: 1 } as const;

interface ServiceChannel {
  queue: Queue;
  events: QueueEvents;
}

export class RemoteServiceClient implements ServiceCaller {
  private readonly channels = new Map<string, ServiceChannel>();

  constructor(
    private readonly names: readonly string[],
    private readonly connection: Redis,
    private readonly keys: RedisKeys,
    private readonly jobId: string,
    private readonly clock: Clock,
  ) {}

  call<R>(name: string, options: ServiceCallOptions = {}): Promise<R> {
    if (!this.names.includes(name)) return Promise.reject(new ServiceNotFoundError(name, this.names));
    const method = options.method ?? 'process';
    const timeoutMs = options.timeout ?? DEFAULT_SERVICE_TIMEOUT_MS;
    let args: unknown[];
    try {
      args = (options.args ?? []).map((arg, index) => encodeValue(arg, `argument ${index} of ${name}.${method}`));
    } catch (error) {
      return Promise.reject(error);
    }
    const data: ServiceCallData = { method, args, timeoutMs, deadline: Date.now() + timeoutMs };
    return new Promise<R>((resolve, reject) => {
      let jobId: string | undefined;
      let settled = false;
      const cancel = this.clock.schedule(timeoutMs, () => {
        settled = true;
        reject(new ServiceTimeoutError(name, method, timeoutMs));
        // A call still waiting is taken out; one already running completes and expires with the others.
        if (jobId !== undefined) void this.channel(name).queue.remove(jobId).catch(() => undefined);
      });
      const settle = (outcome: () => void) => {
        if (settled) return;
        settled = true;
        cancel();
        outcome();
      };
      this.request(name, data, (id) => {
        jobId = id;
        // The timeout fired while the call was being added.
        if (settled) void this.channel(name).queue.remove(id).catch(() => undefined);
      }).then(
        (reply) => settle(() => (reply.ok ? resolve(decodeValue(reply.value) as R) : reject(decodeError(reply.error)))),
        (error: unknown) => settle(() => reject(error)),
      );
    });
  }

  /** Closes the queues and event readers opened here (the service queues themselves belong to the host). */
  async close(): Promise<void> {
    const channels = [...this.channels.values()];
    this.channels.clear();
    await Promise.all(channels.flatMap(({ queue, events }) => [queue.close(), events.close()]));
  }

  private async request(name: string, data: ServiceCallData, added: (id: string) => void): Promise<ServiceReply> {
    const { queue, events } = this.channel(name);
    await events.waitUntilReady();
    const job = await queue.add('call', data, CALL_JOB_OPTIONS);
    added(job.id!);
    return (await job.waitUntilFinished(events)) as ServiceReply;
  }

  private channel(name: string): ServiceChannel {
    let channel = this.channels.get(name);
    if (channel === undefined) {
      const options = { connection: this.connection, prefix: this.keys.serviceQueuePrefix(this.jobId) };
      channel = { queue: new Queue(serviceQueueName(name), options), events: new QueueEvents(serviceQueueName(name), options) };
      // The connection retries by itself; a call that fails meanwhile rejects or times out on its own.
      channel.queue.on('error', () => undefined);
      channel.events.on('error', () => undefined);
      this.channels.set(name, channel);
    }
    return channel;
  }
}
