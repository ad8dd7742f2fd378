/**
 * One job in one worker process: a BullMQ Worker per partition queue (concurrency 1; the queue's global
 * concurrency 1 keeps other processes off it), and the operator instances this process has opened. An
 * instance opens on the first batch it gets here; whichever process receives a partition's last end marker
 * (counted in Redis) finishes it, flushes, sends its own end markers downstream and closes it.
 */
import type { Logger } from '@sage/common';
import { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { ExecutionVertex } from '../../graph/execution-graph.js';
import { systemClock } from '../../runtime/clock.js';
import { InstanceMetrics } from '../../runtime/metrics.js';
import type { OperatorSetup, StreamOperator } from '../../runtime/stream-operator.js';
import { ServiceRegistry } from '../../services/service-registry.js';
import type { JobStore } from '../job-store.js';
import type { RedisKeys } from '../keys.js';
import type { CapturedJob } from '../remote/capture.js';
import { type BatchJobData, JobQueues } from '../remote/job-queues.js';
import type { RemoteTarget } from '../remote/remote-target.js';
import type { Slots } from './slots.js';
import { createSetup, type InstanceEnvironment, metricsDelta, operatorName, sinkPartitionCount, workerPartitions } from '../remote/remote-instance.js';

interface OpenInstance {
  operator: StreamOperator;
  setup: OperatorSetup;
  targets: RemoteTarget[];
  /** Metrics already merged into the job store. */
  merged: InstanceMetrics;
  closed: boolean;
}

export interface JobRunnerParts {
  jobId: string;
  job: CapturedJob;
  store: JobStore;
  keys: RedisKeys;
  /** A `bullmq` connection shared by this process's queues and workers. */
  connection: Redis;
  logger: Logger;
  /** Limits the batches this process handles at once, over all jobs. */
  slots: Slots;
}

export class JobRunner {
  private readonly workers: Worker[] = [];
  private readonly instances = new Map<string, OpenInstance>();
  private readonly queues: JobQueues;
  private readonly registry: ServiceRegistry;
  private readonly env: InstanceEnvironment;
  private readonly sinkPartitions: number;
  private failed = false;

  constructor(private readonly parts: JobRunnerParts) {
    const { job, keys, connection, logger, jobId } = parts;
    this.queues = new JobQueues(connection, keys, jobId);
    this.registry = new ServiceRegistry(job.services, systemClock, logger);
    this.env = { ...job, queues: this.queues, registry: this.registry, clock: systemClock, logger };
    this.sinkPartitions = sinkPartitionCount(job.graph);
  }

  async start(): Promise<void> {
    await this.registry.start();
    for (const { vertex, operator, partition } of workerPartitions(this.parts.job.graph)) {
      const queue = this.queues.queue(operator, partition);
      const worker = new Worker(queue.name, (job) => this.parts.slots.run(() => this.process(vertex, partition, job.data as BatchJobData)), {
        connection: this.parts.connection,
        prefix: this.queues.prefix,
        concurrency: 1,
        removeOnComplete: { count: 0 },
        removeOnFail: { count: 0 },
        // A short blocking wait, so that closing the worker when the job ends is quick.
        drainDelay: 1,
      });
      worker.on('error', (error) => this.parts.logger.warn({ err: error, queue: queue.name }, 'queue worker error'));
      this.workers.push(worker);
    }
  }

  /** Stops taking batches, waits for the ones in progress, and closes every instance opened here. */
  async close(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.close()));
    for (const instance of this.instances.values()) {
      if (instance.closed) continue;
      instance.closed = true;
      await Promise.resolve(instance.operator.close()).catch((error) => this.parts.logger.warn({ err: error }, 'operator failed to close'));
    }
    await this.registry.stop();
    await this.queues.close();
  }

  private async process(vertex: ExecutionVertex, partition: number, data: BatchJobData): Promise<void> {
    if (this.failed) return;
    try {
      const instance = await this.instance(vertex, partition);
      // The partition may have run elsewhere since: continue its batch numbering from where it was saved.
      const sequences = this.parts.keys.partitionSequences(this.parts.jobId, operatorName(vertex), partition);
      const saved = instance.targets.length === 0 ? {} : await this.parts.connection.hgetall(sequences);
      for (const target of instance.targets) target.sequence = Number(saved[target.key] ?? 0);
      if ('records' in data) await this.processBatch(vertex, instance, data.records, data.edge);
      else await this.processEnd(vertex, partition, instance);
      if (instance.targets.length > 0) {
        await this.parts.connection.hset(sequences, Object.fromEntries(instance.targets.map((target) => [target.key, target.sequence])));
      }
    } catch (error) {
      this.failed = true;
      const { message, code } = error as { message?: string; code?: string };
      await this.parts.store.transition(this.parts.jobId, 'failed', { error: { message: message ?? String(error), code } });
      throw error;
    }
  }

  private async processBatch(vertex: ExecutionVertex, instance: OpenInstance, records: unknown[], edge: number): Promise<void> {
    const { setup, operator } = instance;
    const started = systemClock.now();
    await operator.processBatch(records, vertex.inputs[edge]!.inputIndex);
    await setup.output.flush();
    setup.metrics.busyMs += systemClock.now() - started;
    await this.mergeMetrics(vertex, instance);
  }

  /** Counts the end marker in Redis; the last one finishes the partition here. */
  private async processEnd(vertex: ExecutionVertex, partition: number, instance: OpenInstance): Promise<void> {
    const { jobId, keys, connection, store } = this.parts;
    const expected = vertex.inputs.reduce((total, edge) => total + edge.upstreamInstances, 0);
    const ends = await connection.incr(keys.partitionEnds(jobId, operatorName(vertex), partition));
    if (ends < expected) return;
    await instance.operator.finish();
    await instance.setup.output.end();
    await this.mergeMetrics(vertex, instance);
    instance.closed = true;
    await instance.operator.close();
    if (vertex.outputs.length > 0) return;
    const sinksDone = await connection.incr(keys.sinksDone(jobId));
    if (sinksDone < this.sinkPartitions) return;
    // A job whose sources were told to stop drained like any other; it ends as stopped.
    await store.transition(jobId, (await store.isStopRequested(jobId)) ? 'stopped' : 'finished');
  }

  private async instance(vertex: ExecutionVertex, partition: number): Promise<OpenInstance> {
    const id = `${vertex.id}#${partition}`;
    let instance = this.instances.get(id);
    if (instance === undefined) {
      const { setup, targets } = createSetup(vertex, partition, this.env);
      setup.metrics.startedAt = systemClock.now();
      instance = { operator: vertex.transformation.createOperator!(setup), setup, targets, merged: new InstanceMetrics(), closed: false };
      this.instances.set(id, instance);
      await instance.operator.open();
    }
    return instance;
  }

  private async mergeMetrics(vertex: ExecutionVertex, instance: OpenInstance): Promise<void> {
    const delta = metricsDelta(instance.setup.metrics, instance.setup.output.recordsOut, instance.merged);
    await this.parts.store.mergeMetrics(this.parts.jobId, { [operatorName(vertex)]: delta });
  }
}
