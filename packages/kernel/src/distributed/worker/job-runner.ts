/**
 * One job in one worker process. The process owns some of the job's partitions (`PartitionLeases`) and runs a
 * BullMQ Worker only on their queues, so a partition's batches go to one process at a time and its operator
 * instance (with whatever it keeps between batches) lives in that process while it lives. Each batch ends with
 * one commit (`commitBatchScript`): the input's sequence, the output numbering, the keyed state the batch
 * changed, an end marker and the metrics, refused when the lease has moved on. A batch re-run after a crash
 * starts from the last commit, so it emits the same batches with the same ids, which the receivers drop.
 */
import type { Logger } from '@sage/common';
import { type Job, WaitingError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { ExecutionVertex } from '../../graph/execution-graph.js';
import { systemClock } from '../../runtime/clock.js';
import { InstanceMetrics } from '../../runtime/metrics.js';
import type { OperatorSetup, StreamOperator } from '../../runtime/stream-operator.js';
import { createOperator } from '../../runtime/restarting-operator.js';
import { MAX_WATERMARK, MIN_WATERMARK } from '../../windowing/window.js';
import { WATERMARK, WATERMARK_STATUS, type WatermarkMessage, type WatermarkStatusMessage } from '../../runtime/channel.js';
import { InputWatermarks } from '../../runtime/input-watermarks.js';
import { metricsScriptArguments } from '../job-metrics.js';
import type { JobStore } from '../job-store.js';
import { queueName, type RedisKeys } from '../keys.js';
import type { CapturedJob } from '../remote/capture.js';
import { type BatchJobData, JobQueues } from '../remote/job-queues.js';
import { createSetup, type InstanceEnvironment, metricsDelta, sinkPartitionCount, workerPartitions } from '../remote/remote-instance.js';
import type { RemoteTarget } from '../remote/remote-target.js';
import { fromWire } from '../remote/wire-value.js';
import { RemoteServiceClient } from '../remote/service-client.js';
import { PartitionLeases } from './partition-leases.js';
import type { RecoveryTiming } from './recovery-timing.js';
import { commitBatchScript } from './partition-scripts.js';
import type { PersistentKeyedState } from './persistent-keyed-state.js';
import { operatorFields, splitStateFields, watermarksField } from './state-fields.js';
import type { Slots } from './slots.js';

interface OpenInstance {
  operator: StreamOperator;
  setup: OperatorSetup;
  targets: RemoteTarget[];
  state: PersistentKeyedState;
  /** The instance's event time, made on its first watermark (or restored from the last commit). */
  watermarks: InputWatermarks | undefined;
  /** Whether `watermarks` changed since the last commit. */
  watermarksChanged: boolean;
  /** The last sequence committed per input (`<edge>.<upstream instance>`): only the lease owner commits. */
  done: Map<string, number>;
  /** Metrics already committed. */
  merged: InstanceMetrics;
  closed: boolean;
}

interface Partition {
  vertex: ExecutionVertex;
  operator: string;
  partition: number;
  worker?: Worker;
  instance?: OpenInstance;
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
  /** This worker process, as named in leases. */
  workerId: string;
  timing: RecoveryTiming;
  /** Whether partitions are given back to workers that join (`SageWorkerOptions.rebalance`). */
  rebalance: boolean;
}

export class JobRunner {
  private readonly partitions: Partition[];
  private readonly leases: PartitionLeases;
  private readonly queues: JobQueues;
  private readonly services: RemoteServiceClient;
  private readonly env: InstanceEnvironment;
  private readonly sinkPartitions: number;
  private failed = false;

  constructor(private readonly parts: JobRunnerParts) {
    const { job, keys, connection, logger, jobId, timing, workerId } = parts;
    this.queues = new JobQueues(connection, keys, jobId, logger);
    // The job's services run once, in the submitting process; calls from here go over Redis.
    this.services = new RemoteServiceClient(job.services.map((service) => service.name), connection, keys, jobId, systemClock);
    this.env = { ...job, queues: this.queues, services: this.services, clock: systemClock, logger };
    this.sinkPartitions = sinkPartitionCount(job.graph);
    // Partition 0 of every operator first, then partition 1…: a worker's share is a slice through the pipeline.
    this.partitions = workerPartitions(job.graph).sort((a, b) => a.partition - b.partition);
    this.leases = new PartitionLeases({
      connection,
      workerId,
      leaseKeys: this.partitions.map(({ operator, partition }) => keys.partitionLease(jobId, operator, partition)),
      sliceSize: parts.rebalance ? new Set(this.partitions.map(({ operator }) => operator)).size : 0,
      aliveKey: keys.jobAlive(jobId),
      workersKey: keys.jobWorkers(jobId),
      takersKey: keys.jobTakers(jobId),
      leaseMs: timing.leaseMs,
      heartbeatMs: timing.heartbeatMs,
      logger,
      gained: async (index) => this.gain(index),
      lost: async (index) => this.lose(index),
    });
  }

  async start(): Promise<void> {
    await this.leases.start();
  }

  /** Stops taking batches, waits for the ones in progress, closes every instance opened here, releases leases. */
  async close(): Promise<void> {
    await this.leases.stop();
    // Batches in progress commit while the leases still hold; then the partitions are free for others.
    await Promise.all(this.partitions.map((_, index) => this.lose(index)));
    await this.leases.release();
    await this.services.close();
    await this.queues.close();
  }

  /** Starts taking the partition's batches; its instance opens with the first one. */
  private async gain(index: number): Promise<void> {
    const entry = this.partitions[index]!;
    const { timing, connection, logger, slots } = this.parts;
    const queue = this.queues.queue(entry.operator, entry.partition);
    logger.info({ partition: queue.name }, 'partition taken');
    entry.worker = new Worker(queue.name, (job, token) => slots.run(() => this.process(index, job, token)), {
      connection,
      prefix: this.queues.prefix,
      concurrency: 1,
      lockDuration: timing.lockDurationMs,
      stalledInterval: timing.stalledIntervalMs,
      maxStalledCount: timing.maxStalledCount,
      removeOnComplete: { count: 0 },
      removeOnFail: { count: 0 },
      // A short blocking wait, so that closing the worker when the job ends is quick.
      drainDelay: 1,
    });
    entry.worker.on('error', (error) => logger.warn({ err: error, queue: queue.name }, 'queue worker error'));
    // BullMQ fails a batch that stalled more than maxStalledCount times without calling us: the job fails too.
    entry.worker.on('failed', (job, error) => {
      if (this.failed) return;
      this.failed = true;
      const message = `batch ${job?.id ?? '?'} of partition ${queue.name} failed in BullMQ: ${error.message}`;
      void this.parts.store.transition(this.parts.jobId, 'failed', { error: { message, code: 'SAGE_PIPELINE' } }).catch(() => undefined);
    });
  }

  /** Stops taking the partition's batches (the one in progress finishes) and closes its instance here. */
  private async lose(index: number): Promise<void> {
    const entry = this.partitions[index]!;
    const worker = entry.worker;
    entry.worker = undefined;
    await worker?.close();
    const instance = entry.instance;
    entry.instance = undefined;
    if (instance === undefined || instance.closed) return;
    instance.closed = true;
    await Promise.resolve(instance.operator.close()).catch((error) => this.parts.logger.warn({ err: error }, 'operator failed to close'));
  }

  private async process(index: number, job: Job, token: string | undefined): Promise<void> {
    if (this.failed) return;
    const entry = this.partitions[index]!;
    const data = job.data as BatchJobData;
    const { connection, keys, jobId } = this.parts;
    const input = `${data.edge}.${data.from}`;
    try {
      let last: number | undefined;
      if (entry.instance !== undefined && this.leases.holdsSurely(index)) {
        // Owned for certain since the instance opened: what it committed is known here, without a round trip.
        last = entry.instance.done.get(input);
      } else {
        const [lease, saved] = await Promise.all([
          connection.get(keys.partitionLease(jobId, entry.operator, entry.partition)),
          connection.hget(keys.partitionDone(jobId, entry.operator, entry.partition), input),
        ]);
        // The lease lapsed (this process was stalled) and the partition may have moved: emit nothing from here.
        if (lease !== this.parts.workerId) return await this.giveBack(index, job, token);
        last = saved === null ? undefined : Number(saved);
      }
      // A batch this partition committed before (re-sent by a re-run upstream, or re-run here after a crash).
      if (last !== undefined && last >= data.sequence) {
        if ('end' in data) await this.endJobIfSinksDone();
        return;
      }
      const instance = entry.instance ?? (entry.instance = await this.open(entry));
      let finished = false;
      if ('records' in data) await this.processBatch(entry.vertex, instance, data);
      else if ('end' in data) finished = await this.processEnd(entry, instance);
      else await this.processWatermark(entry.vertex, instance, data);
      if ((await this.commit(entry, instance, data, finished)) === 'lease') return await this.giveBack(index, job, token);
      instance.done.set(input, data.sequence);
      if (finished) {
        instance.closed = true;
        await instance.operator.close();
        if (entry.vertex.outputs.length === 0) await this.endJobIfSinksDone();
      }
    } catch (error) {
      if (error instanceof WaitingError) throw error;
      this.failed = true;
      const { message, code } = error as { message?: string; code?: string };
      await this.parts.store.transition(jobId, 'failed', { error: { message: message ?? String(error), code } });
      throw error;
    }
  }

  /**
   * The partition is not this process's any more: the batch goes back to the head of its queue, unchanged in
   * Redis, and the process lets go of the partition (not awaited: letting go waits for this batch to return).
   */
  private async giveBack(index: number, job: Job, token: string | undefined): Promise<never> {
    await job.moveToWait(token).catch(() => undefined);
    void this.leases.drop(index);
    throw new WaitingError();
  }

  private async processBatch(vertex: ExecutionVertex, instance: OpenInstance, data: { edge: number; records: unknown[]; timestamps?: Array<number | null>; typed?: true }): Promise<void> {
    const { setup, operator } = instance;
    const started = systemClock.now();
    const timestamps = data.timestamps?.map((timestamp) => timestamp ?? Number.NaN);
    const records = data.typed ? data.records.map(fromWire) : data.records;
    await operator.processBatch(records, vertex.inputs[data.edge]!.inputIndex, timestamps);
    await setup.output.flush();
    setup.metrics.busyMs += systemClock.now() - started;
  }

  /** An upstream instance's watermark or idleness: combined over the inputs as in local mode. */
  private async processWatermark(vertex: ExecutionVertex, instance: OpenInstance, data: { edge: number; from: number } & ({ watermark: number } | { idle: boolean })): Promise<void> {
    // On a forward edge the receiver has one upstream instance, whatever the sender's index.
    const from = vertex.inputs[data.edge]!.upstreamInstances === 1 ? 0 : data.from;
    const message: WatermarkMessage | WatermarkStatusMessage =
      'watermark' in data ? { kind: WATERMARK, edge: data.edge, from, watermark: data.watermark } : { kind: WATERMARK_STATUS, edge: data.edge, from, idle: data.idle };
    instance.watermarks ??= new InputWatermarks(vertex.inputs);
    await instance.watermarks.receive(message, { operator: instance.operator, output: instance.setup.output });
    await instance.setup.output.flush();
    instance.watermarksChanged = true;
  }

  /** Whether this end marker is the partition's last; then the instance finishes and sends its own ends. */
  private async processEnd(entry: Partition, instance: OpenInstance): Promise<boolean> {
    const { jobId, keys, connection } = this.parts;
    const expected = entry.vertex.inputs.reduce((total, edge) => total + edge.upstreamInstances, 0);
    const ends = await connection.scard(keys.partitionEnds(jobId, entry.operator, entry.partition));
    if (ends + 1 < expected) return false;
    // As in local mode, the end of input is the final watermark (event-time windows fire before finish).
    await instance.operator.processWatermark(MAX_WATERMARK);
    await instance.operator.finish();
    await instance.setup.output.end();
    return true;
  }

  private async commit(entry: Partition, instance: OpenInstance, data: BatchJobData, finished: boolean): Promise<unknown> {
    const { jobId, keys, connection, workerId } = this.parts;
    const { operator, partition } = entry;
    const sequences = instance.targets.flatMap((target) => [target.key, target.sequence]);
    const changes = instance.state.takeChanges().flatMap(([field, value]) => [field, value ?? '']);
    changes.push(...operatorFields(operator, instance.operator.takeDurableChanges()));
    if (instance.watermarksChanged && instance.watermarks !== undefined) {
      changes.push(...watermarksField(instance.watermarks.snapshot()));
      instance.watermarksChanged = false;
    }
    const delta = metricsDelta(instance.setup.metrics, instance.setup.output.recordsOut, instance.merged);
    const sink = finished && entry.vertex.outputs.length === 0 ? queueName(operator, partition) : '';
    return commitBatchScript.run(
      connection,
      [
        keys.partitionLease(jobId, operator, partition),
        keys.partitionDone(jobId, operator, partition),
        keys.partitionSequences(jobId, operator, partition),
        keys.partitionState(jobId, operator, partition),
        keys.partitionEnds(jobId, operator, partition),
        keys.sinksDone(jobId),
        keys.job(jobId),
        keys.jobMetrics(jobId),
      ],
      [
        workerId,
        `${data.edge}.${data.from}`,
        data.sequence,
        'end' in data ? '1' : '0',
        sink,
        sequences.length / 2,
        changes.length / 2,
        ...sequences,
        ...changes,
        ...metricsScriptArguments({ [operator]: delta }),
      ],
    );
  }

  /** Moves the job to its final status once every sink partition has finished (whoever sees it first). */
  private async endJobIfSinksDone(): Promise<void> {
    const { jobId, keys, connection, store } = this.parts;
    if ((await connection.scard(keys.sinksDone(jobId))) < this.sinkPartitions) return;
    // A job whose sources were told to stop drained like any other; it ends as stopped.
    await store.transition(jobId, (await store.isStopRequested(jobId)) ? 'stopped' : 'finished');
  }

  /** Opens the partition's instance with the committed output numbering and keyed state. */
  private async open(entry: Partition): Promise<OpenInstance> {
    const { jobId, keys, connection } = this.parts;
    const { setup, targets, state } = createSetup(entry.vertex, entry.partition, this.env);
    setup.metrics.startedAt = systemClock.now();
    const [sequences, stateFields, done] = await Promise.all([
      connection.hgetall(keys.partitionSequences(jobId, entry.operator, entry.partition)),
      connection.hgetall(keys.partitionState(jobId, entry.operator, entry.partition)),
      connection.hgetall(keys.partitionDone(jobId, entry.operator, entry.partition)),
    ]);
    for (const target of targets) target.sequence = Number(sequences[target.key] ?? 0);
    const saved = splitStateFields(stateFields);
    state.load(saved.keyed);
    const operator = createOperator(entry.vertex.transformation.createOperator!, setup, this.parts.job.restartStrategy);
    const instance: OpenInstance = { operator, setup, targets, state, watermarks: undefined, watermarksChanged: false, done: new Map(Object.entries(done).map(([input, sequence]) => [input, Number(sequence)])), merged: new InstanceMetrics(), closed: false };
    if (saved.watermarks !== undefined) {
      instance.watermarks = new InputWatermarks(entry.vertex.inputs);
      instance.watermarks.restore(saved.watermarks);
    }
    await instance.operator.open();
    instance.operator.restoreDurable(saved.operator, instance.watermarks?.current ?? MIN_WATERMARK);
    return instance;
  }
}
