/**
 * The submitting side of a remote job: records it in the job store, prepares its queues, runs the sources in
 * this process (they read their inputs where the job is started) and the job's services (once, for every
 * worker: `ServiceHost`), and waits for the workers to end it.
 */
import { hostname } from 'node:os';
import { type Logger, PipelineError } from '@sage/common';
import type { Redis } from 'ioredis';
import type { ExecutionGraph } from '../../graph/execution-graph.js';
import { type Clock, sleep } from '../../runtime/clock.js';
import type { JobResult, JobStatus } from '../../runtime/job-result.js';
import { InstanceMetrics } from '../../runtime/metrics.js';
import { createStopSignal, type StopSignal } from '../../runtime/stop-signal.js';
import { runSourceTask } from '../../runtime/task.js';
import { ServiceRegistry, type ServiceDefinition } from '../../services/service-registry.js';
import { summarizeGraph } from '../graph-summary.js';
import type { JobRecord } from '../job-record.js';
import type { JobStore } from '../job-store.js';
import type { RedisKeys } from '../keys.js';
import { JobQueues } from './job-queues.js';
import { RemoteJobError } from './remote-errors.js';
import { createSetup, metricsDelta, operatorName, sinkPartitionCount, workerPartitions } from './remote-instance.js';
import { ServiceHost } from './service-host.js';

const STATUS_POLL_MS = 100;
/**
 * The submitting process renews its heartbeat key this often, with a lifetime of five periods; workers fail a
 * running job whose key has expired (its sources and services ran in the submitter, so it could never end).
 */
export const SUBMITTER_HEARTBEAT_MS = 2_000;
export const SUBMITTER_TIMEOUT_MS = 5 * SUBMITTER_HEARTBEAT_MS;

/** Longest wait for workers to let go of an ended job before its queues are removed anyway. */
const WORKER_RELEASE_MS = 15_000;

export interface RemoteJobParts {
  graph: ExecutionGraph;
  services: readonly ServiceDefinition[];
  store: JobStore;
  connection: Redis;
  keys: RedisKeys;
  module: string;
  clock: Clock;
  logger: Logger;
  batchSize: number;
  lingerMs: number;
  /** Runs once the job has an id, before workers may attach (stores a signed code bundle). */
  beforeRunning?: (jobId: string) => Promise<void>;
}

export class RemoteJob {
  readonly id: string;
  private readonly stopSignal: StopSignal & { stop(): void };
  private readonly startedAt: Date;
  private readonly started: number;
  private stopRequested = false;

  private constructor(
    private readonly parts: RemoteJobParts,
    record: JobRecord,
    private readonly queues: JobQueues,
    private readonly services: { registry: ServiceRegistry; host: ServiceHost },
  ) {
    this.id = record.id;
    this.startedAt = new Date();
    this.started = parts.clock.now();
    this.stopSignal = createStopSignal();
  }

  /**
   * Records the job and its queues, starts its services (before the first task, as locally) and moves it to
   * `running`, so that workers attach. A service that fails to start fails the job.
   */
  static async start(parts: RemoteJobParts): Promise<RemoteJob> {
    const { store, connection, keys, clock, logger } = parts;
    const record = await store.create({ name: parts.graph.jobName, graph: summarizeGraph(parts.graph), module: parts.module });
    const queues = new JobQueues(connection, keys, record.id, logger);
    await queues.prepare(workerPartitions(parts.graph));
    const registry = new ServiceRegistry(parts.services, clock, logger);
    const host = new ServiceHost(registry, parts.services.map((service) => service.name), connection, keys, record.id, logger);
    try {
      await registry.start();
      host.start();
      await parts.beforeRunning?.(record.id);
    } catch (error) {
      const { message, code } = error as { message?: string; code?: string };
      await store.transition(record.id, 'failed', { error: { message: message ?? String(error), code } });
      await host.close();
      await registry.stop();
      await queues.obliterate();
      await queues.close();
      throw error;
    }
    await connection.set(keys.jobSubmitter(record.id), `${hostname()}:${process.pid}`, 'PX', SUBMITTER_TIMEOUT_MS);
    await store.transition(record.id, 'running');
    return new RemoteJob(parts, record, queues, { registry, host });
  }

  /** Ends the sources (as `sage job stop` does); records in flight drain and the job ends as `stopped`. */
  async stop(): Promise<void> {
    this.stopRequested = true;
    this.stopSignal.stop();
    await this.parts.store.requestStop(this.id);
  }

  /** Runs the sources, waits for the job to end, removes its queues; resolves with the merged metrics. */
  async run(): Promise<JobResult> {
    const { store, graph } = this.parts;
    // `sage job stop` (or stop()) ends the sources here; the workers then drain the job and mark it stopped.
    const unlisten = await store.onStopRequested(this.id, () => this.stopSignal.stop());
    const heartbeat = this.beatWhileRunning();
    const sources = this.runSources().then(
      async () => {
        // With no operator on workers, nobody else ends the job.
        if (sinkPartitionCount(graph) === 0) await store.transition(this.id, this.stopSignal.stopped ? 'stopped' : 'finished');
      },
      async (error: unknown) => {
        const { message, code } = error as { message?: string; code?: string };
        await store.transition(this.id, 'failed', { error: { message: message ?? String(error), code } });
      },
    );
    let record: JobRecord;
    try {
      record = await this.waitForEnd();
      // An unbounded source still running is told to end; a failed job needs nothing more from it.
      this.stopSignal.stop();
      await sources;
    } finally {
      heartbeat.stop();
      await unlisten();
      await this.cleanUp();
    }
    if (record.status === 'failed') throw new RemoteJobError(this.id, record.error?.message ?? 'job failed', record.error?.code ?? 'SAGE_PIPELINE');
    const status: JobStatus = this.stopRequested || record.status === 'stopped' ? 'stopped' : (record.status as JobStatus);
    return this.result(status, record);
  }

  result(status: JobStatus = 'running', record?: JobRecord): JobResult {
    return {
      jobName: this.parts.graph.jobName,
      status,
      startedAt: this.startedAt.toISOString(),
      durationMs: Math.round((this.parts.clock.now() - this.started) * 1000) / 1000,
      operators: record?.operators ?? {},
    };
  }

  /** Renews the submitter's heartbeat key until stopped, then deletes it. */
  private beatWhileRunning(): { stop(): void } {
    const { connection, keys, logger } = this.parts;
    const key = keys.jobSubmitter(this.id);
    const timer = setInterval(() => {
      connection.pexpire(key, SUBMITTER_TIMEOUT_MS).catch((error: unknown) => logger.warn({ err: error }, 'submitter heartbeat failed'));
    }, SUBMITTER_HEARTBEAT_MS);
    return {
      stop() {
        clearInterval(timer);
        connection.del(key).catch(() => undefined);
      },
    };
  }

  private async runSources(): Promise<void> {
    const { graph, clock, store } = this.parts;
    const env = { ...this.parts, queues: this.queues, services: this.services.registry };
    const tasks = graph.vertices
      .filter((vertex) => vertex.transformation.createSource !== undefined)
      .flatMap((vertex) =>
        Array.from({ length: vertex.parallelism }, async (_, index) => {
          const { setup } = createSetup(vertex, index, env);
          const source = vertex.transformation.createSource!(setup);
          try {
            await runSourceTask(source, setup.output, setup.metrics, clock, this.stopSignal);
          } finally {
            const delta = metricsDelta(setup.metrics, setup.output.recordsOut, new InstanceMetrics());
            await store.mergeMetrics(this.id, { [operatorName(vertex)]: delta });
          }
        }),
      );
    await Promise.all(tasks);
  }

  private async waitForEnd(): Promise<JobRecord> {
    for (;;) {
      const record = await this.parts.store.get(this.id);
      if (record === undefined) throw new PipelineError(`job ${this.id} was deleted while it ran`);
      if (record.status === 'finished' || record.status === 'failed' || record.status === 'stopped') return record;
      await sleep(this.parts.clock, STATUS_POLL_MS);
    }
  }

  /**
   * Waits for the workers to let go of the job, then removes its queues so that no BullMQ job is left, and
   * stops its services (after the last task, as locally).
   */
  private async cleanUp(): Promise<void> {
    const { connection, keys, clock } = this.parts;
    const deadline = clock.now() + WORKER_RELEASE_MS;
    try {
      while ((await connection.scard(keys.jobWorkers(this.id))) > 0 && clock.now() < deadline) await sleep(clock, STATUS_POLL_MS);
      await this.queues.obliterate();
      await this.queues.close();
    } finally {
      await this.services.host.close();
      await this.services.registry.stop();
    }
  }
}
