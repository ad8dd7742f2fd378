/**
 * The service test pipelines, built the same way in a LocalEnvironment and a RemoteEnvironment. A `Counter`
 * service numbers the calls it receives; a map with parallelism 3 calls it once per record and passes the number
 * on, so with one instance of the service the numbers are exactly 1..n, each once. A second pipeline probes the
 * errors of service calls (unknown service, unknown method, a method that throws, a timeout) and records what
 * each caller caught, so that a local and a remote run can be compared record by record.
 */
import { SageError, ServiceNotFoundError, ServiceTimeoutError, ValidationError } from '@sage/common';
import type { Redis } from 'ioredis';
import type { BaseEnvironment } from '../../../api/environment.js';
import { MapFunction, SinkFunction } from '../../../api/functions.js';
import { BaseService } from '../../../services/base-service.js';
import { connectRedis } from '../../redis-connection.js';
import { fixtureSettings } from './build-pipeline.js';

export const CALL_COUNT = 600;

/** Numbers its calls; `add` takes and returns a typed array to show that typed arrays travel. */
export class Counter extends BaseService {
  private count = 0;

  add(values: Float32Array): { count: number; echo: Float32Array } {
    if (!(values instanceof Float32Array)) throw new TypeError(`expected a Float32Array, got ${Object.prototype.toString.call(values)}`);
    this.count++;
    return { count: this.count, echo: values.map((value) => value * 2) };
  }

  async wait(ms: number): Promise<string> {
    await new Promise((resolve) => setTimeout(resolve, ms));
    return 'late';
  }

  refuse(): never {
    throw new ValidationError('the counter refuses negative input');
  }

  crash(): never {
    throw new TypeError('the counter crashed');
  }
}

export interface Counted {
  id: number;
  count: number;
  doubled: number[];
}

class CallCounter extends MapFunction<number, Counted> {
  override async execute(id: number): Promise<Counted> {
    const { count, echo } = await this.callService<{ count: number; echo: Float32Array }>('counter', { method: 'add', args: [Float32Array.of(id, 0.5)] });
    if (!(echo instanceof Float32Array)) throw new TypeError('the echo is not a Float32Array');
    return { id, count, doubled: Array.from(echo) };
  }
}

/** Sets field `<id>` of a hash to the record's JSON (idempotent). */
class RedisHashSink extends SinkFunction<{ id: number }, { key: string }> {
  private client: Redis | undefined;

  override async open(): Promise<void> {
    this.client = await connectRedis(fixtureSettings().redis);
  }

  override async execute(record: { id: number }): Promise<void> {
    await this.client!.hset(this.config.key, String(record.id), JSON.stringify(record));
  }

  override async close(): Promise<void> {
    await this.client?.quit();
  }
}

export function buildCounterPipeline(env: BaseEnvironment, options: { sinkKey: string }): void {
  env
    .registerService('counter', Counter)
    .fromBatch(
      Array.from({ length: CALL_COUNT }, (_, id) => id),
      { name: 'ids' },
    )
    .map(CallCounter, {}, { name: 'count', parallelism: 3 })
    .sink(RedisHashSink, { key: options.sinkKey }, { name: 'store' });
}

/** The calls the probe makes, by record id. */
export const PROBES: Array<{ service: string; method?: string; args?: unknown[]; timeout?: number }> = [
  { service: 'nowhere' },
  { service: 'counter', method: 'multiply' },
  { service: 'counter', method: 'refuse' },
  { service: 'counter', method: 'crash' },
  { service: 'counter', method: 'wait', args: [1_000], timeout: 100 },
  { service: 'counter', method: 'add', args: [new Map()] },
];

export interface ProbeOutcome {
  id: number;
  name: string;
  code?: string;
  message: string;
  /** The classes the caught error is an instance of. */
  classes: string[];
  details?: unknown;
}

const ERROR_CLASSES = { Error, TypeError, SageError, ValidationError, ServiceNotFoundError, ServiceTimeoutError };

class Probe extends MapFunction<number, ProbeOutcome> {
  override async execute(id: number): Promise<ProbeOutcome> {
    const { service, ...call } = PROBES[id]!;
    try {
      await this.callService(service, call);
      return { id, name: 'none', message: 'the call succeeded', classes: [] };
    } catch (error) {
      const { name, message, code, details } = error as Error & { code?: string; details?: unknown };
      const classes = Object.entries(ERROR_CLASSES)
        .filter(([, type]) => error instanceof type)
        .map(([className]) => className);
      return { id, name, message, classes, ...(code ? { code } : {}), ...(details ? { details } : {}) };
    }
  }
}

export function buildProbePipeline(env: BaseEnvironment, options: { sinkKey: string }): void {
  env
    .registerService('counter', Counter)
    .fromBatch(
      PROBES.map((_, id) => id),
      { name: 'probes' },
    )
    .map(Probe, {}, { name: 'probe', parallelism: 2 })
    .sink(RedisHashSink, { key: options.sinkKey }, { name: 'store' });
}

class AskSlowly extends MapFunction<number, { id: number }> {
  override async execute(id: number): Promise<{ id: number }> {
    await this.callService('counter', { method: 'wait', args: [1_000], timeout: 100 });
    return { id };
  }
}

/** A call that times out, uncaught: the job fails as the operator's `onError` says. */
export function buildTimeoutPipeline(env: BaseEnvironment, options: { sinkKey: string }): void {
  env
    .registerService('counter', Counter)
    .fromBatch([1, 2, 3], { name: 'ids' })
    .map(AskSlowly, {}, { name: 'ask' })
    .sink(RedisHashSink, { key: options.sinkKey }, { name: 'store' });
}
