/**
 * The service-call transport on its own, in this process against the shared Redis: a `ServiceHost` answering
 * for a registry and a `RemoteServiceClient` calling it, as the submitting process and a worker do.
 */
import { createLogger, ServiceTimeoutError } from '@sage/common';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../runtime/clock.js';
import { BaseService } from '../../services/base-service.js';
import { ServiceRegistry } from '../../services/service-registry.js';
import { keysUnder, REDIS_URL, removePrefix, uniquePrefix } from '../__fixtures__/redis-fixtures.js';
import { newJobId } from '../job-record.js';
import { RedisKeys, serviceQueueName } from '../keys.js';
import { connectRedis } from '../redis-connection.js';
import { RemoteServiceClient } from './service-client.js';
import { ServiceHost } from './service-host.js';
import type { ServiceCallData, ServiceReply } from './service-codec.js';

const prefix = uniquePrefix('service-calls');
const keys = new RedisKeys(prefix);
const logger = createLogger({ name: 'service-calls', level: 'silent' });
let connection: Redis;

class Echo extends BaseService {
  static calls = 0;

  echo(value: unknown): unknown {
    Echo.calls++;
    return value;
  }
}

beforeAll(async () => {
  connection = await connectRedis(REDIS_URL, { kind: 'bullmq' });
});

afterAll(async () => {
  if (connection !== undefined) await removePrefix(connection, prefix);
  await connection?.quit();
});

function parts(jobId: string) {
  const registry = new ServiceRegistry([{ name: 'echo', serviceClass: Echo, config: {} }], systemClock, logger);
  const host = new ServiceHost(registry, ['echo'], connection, keys, jobId, logger);
  const client = new RemoteServiceClient(['echo'], connection, keys, jobId, systemClock);
  return { registry, host, client };
}

describe('service calls over Redis', () => {
  it('answer calls, and remove the service queues when the host closes', async () => {
    const jobId = newJobId(Date.now());
    const { registry, host, client } = parts(jobId);
    await registry.start();
    host.start();
    try {
      const answers = await Promise.all(Array.from({ length: 20 }, (_, index) => client.call('echo', { method: 'echo', args: [{ index }] })));
      expect(answers).toEqual(Array.from({ length: 20 }, (_, index) => ({ index })));
    } finally {
      await client.close();
      await host.close();
      await registry.stop();
    }
    expect(await keysUnder(connection, `${keys.serviceQueuePrefix(jobId)}:*`)).toEqual([]);
  });

  it('time out a call nobody answers with ServiceTimeoutError, and take the call out of the queue', async () => {
    const jobId = newJobId(Date.now());
    const { client } = parts(jobId);
    const queue = new Queue(serviceQueueName('echo'), { connection, prefix: keys.serviceQueuePrefix(jobId) });
    try {
      const error = await client.call('echo', { method: 'echo', args: [1], timeout: 150 }).catch((failure: unknown) => failure);
      expect(error).toBeInstanceOf(ServiceTimeoutError);
      expect(error).toMatchObject({ message: 'service call echo.echo timed out after 150 ms', details: { service: 'echo', method: 'echo', timeoutMs: 150 } });
      // The removal is sent when the timer fires; wait for its reply without sleeping on a guess.
      for (let attempt = 0; attempt < 50 && (await queue.getWaitingCount()) > 0; attempt++) await connection.ping();
      expect(await queue.getJobCounts('waiting', 'active', 'completed', 'failed')).toEqual({ waiting: 0, active: 0, completed: 0, failed: 0 });
    } finally {
      await client.close();
      await queue.obliterate({ force: true });
      await queue.close();
    }
  });

  it('skip a call its caller has given up on instead of running it late', async () => {
    const jobId = newJobId(Date.now());
    const { registry, host } = parts(jobId);
    const queue = new Queue(serviceQueueName('echo'), { connection, prefix: keys.serviceQueuePrefix(jobId) });
    const late: ServiceCallData = { method: 'echo', args: ['late'], timeoutMs: 100, deadline: Date.now() - 1 };
    const job = await queue.add('call', late);
    await registry.start();
    const before = Echo.calls;
    host.start();
    try {
      const { QueueEvents } = await import('bullmq');
      // From the start of the stream: the reply may come before this reader's first read.
      const events = new QueueEvents(serviceQueueName('echo'), { connection, prefix: keys.serviceQueuePrefix(jobId), lastEventId: '0-0' });
      const reply = (await job.waitUntilFinished(events)) as ServiceReply;
      await events.close();
      expect(reply).toMatchObject({ ok: false, error: { name: 'ServiceTimeoutError', message: 'service call echo.echo timed out after 100 ms' } });
      expect(Echo.calls).toBe(before);
    } finally {
      await host.close();
      await registry.stop();
      await queue.close();
    }
  });
});
