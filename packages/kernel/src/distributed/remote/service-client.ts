/**
 * `ctx.callService` on a worker: each call becomes one BullMQ job on the service's queue, answered by the one
 * instance of the service in the submitting process (`ServiceHost`); the caller waits for the job's completion
 * event on one `QueueEvents` reader per service in this process. Errors are those of a local call: `ServiceNotFoundError` for a name the job did not register,
 * `ServiceTimeoutError` when no reply came within the timeout, and the method's own error rebuilt from the reply.
 */
import { randomBytes } from 'node:crypto';
import type { EventEmitter } from 'node:events';
import { ServiceError, ServiceNotFoundError, ServiceTimeoutError } from '@sage/common';
import { Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import type { ServiceCallOptions } from '../../api/function-context.js';
import type { Clock } from '../../runtime/clock.js';
import { DEFAULT_SERVICE_TIMEOUT_MS, type ServiceCaller } from '../../services/service-registry.js';
import { type RedisKeys, serviceQueueName } from '../keys.js';
import { decodeError, decodeValue, encodeValue, type ServiceCallData, type ServiceReply } from './service-codec.js';

/**
 * Answered calls are removed at once: the reply travels in the completion event. A call that timed out is
 * removed by the caller if still waiting; the queues go when the job ends.
 */
const CALL_JOB_OPTIONS = { removeOnComplete: true, removeOnFail: true, attempts: 1 } as const;

interface ServiceChannel {
  queue: Queue;
  events: QueueEvents;
}

export class RemoteServiceClient implements ServiceCaller {
  private readonly channels = new Map<string, Promise<ServiceChannel>>();

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
    const channel = this.channel(name);
    return new Promise<R>((resolve, reject) => {
      let queue: Queue | undefined;
      // Our own id, so that the reply's listener is in place before the call can complete.
      const jobId = `c${randomBytes(9).toString('hex')}`;
      let added = false;
      let settled = false;
      let stopWaiting = () => {};
      const settle = (outcome: () => void) => {
        if (settled) return;
        settled = true;
        cancelTimer();
        stopWaiting();
        outcome();
      };
      const cancelTimer = this.clock.schedule(timeoutMs, () => {
        settle(() => reject(new ServiceTimeoutError(name, method, timeoutMs)));
        // A call still waiting is taken out; one already running completes and expires with the others.
        if (queue !== undefined && added) void queue.remove(jobId).catch(() => undefined);
      });
      const onReply = (reply: ServiceReply) => settle(() => (reply.ok ? resolve(decodeValue(reply.value) as R) : reject(decodeError(reply.error))));
      const onError = (error: unknown) => settle(() => reject(error));
      const send = async () => {
        const opened = await channel;
        if (settled) return;
        queue = opened.queue;
        stopWaiting = waitForReply(opened.events, jobId, onReply, onError);
        await queue.add('call', data, { ...CALL_JOB_OPTIONS, jobId });
        added = true;
        // The timeout fired while the call was being added.
        if (settled) void queue.remove(jobId).catch(() => undefined);
      };
      send().catch(onError);
    });
  }

  /** Closes the queues and event readers opened here (the service queues themselves belong to the host). */
  async close(): Promise<void> {
    const opening = [...this.channels.values()];
    this.channels.clear();
    const channels = await Promise.all(opening.map((channel) => channel.catch(() => undefined)));
    await Promise.all(channels.flatMap((channel) => (channel === undefined ? [] : [channel.queue.close(), channel.events.close()])));
  }

  private channel(name: string): Promise<ServiceChannel> {
    let channel = this.channels.get(name);
    if (channel === undefined) {
      channel = this.openChannel(name);
      this.channels.set(name, channel);
    }
    return channel;
  }

  private async openChannel(name: string): Promise<ServiceChannel> {
    const options = { connection: this.connection, prefix: this.keys.serviceQueuePrefix(this.jobId) };
    const queue = new Queue(serviceQueueName(name), options);
    // The connection retries by itself; a call that fails meanwhile rejects or times out on its own.
    queue.on('error', () => undefined);
    // The reader starts at the event stream's present end rather than at `$`, which counts from its first read,
    // whenever that comes: a call added after this point cannot complete unseen.
    const [last] = await this.connection.xrevrange(queue.keys.events!, '+', '-', 'COUNT', 1);
    const events = new QueueEvents(serviceQueueName(name), { ...options, lastEventId: last?.[0] ?? '0-0' });
    events.on('error', () => undefined);
    return { queue, events };
  }
}

/**
 * Listens for the completion of call `jobId` on the service's event stream; returns what stops listening. Unlike
 * `job.waitUntilFinished`, the listeners of a call that timed out go at once rather than when its reply comes.
 */
function waitForReply(events: QueueEvents, jobId: string, onReply: (reply: ServiceReply) => void, onError: (error: unknown) => void): () => void {
  const emitter = events as unknown as EventEmitter;
  const completed = `completed:${jobId}`;
  const failed = `failed:${jobId}`;
  const onCompleted = (event: { returnvalue: unknown }) => onReply(event.returnvalue as ServiceReply);
  const onFailed = (event: { failedReason: string }) => onError(new ServiceError(`service call ${jobId} failed in its queue: ${event.failedReason}`));
  emitter.on(completed, onCompleted);
  emitter.on(failed, onFailed);
  return () => {
    emitter.off(completed, onCompleted);
    emitter.off(failed, onFailed);
  };
}
