/**
 * A worker process of the distributed runtime (`sage worker`): it watches the job store for running jobs,
 * imports each job's pipeline module to capture its graph (only from its code directory), runs the job's
 * partitions from their queues, and lets go of a job when it has ended.
 */
import { randomBytes } from 'node:crypto';
import { realpath } from 'node:fs/promises';
import { hostname } from 'node:os';
import { isAbsolute, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createLogger, type Logger, PipelineError } from '@sage/common';
import type { Redis } from 'ioredis';
import { JobStore } from '../job-store.js';
import { DEFAULT_KEY_PREFIX, RedisKeys } from '../keys.js';
import { connectRedis } from '../redis-connection.js';
import { checkRedisRequirements } from '../redis-server-check.js';
import { DEFAULT_REDIS_URL, parseRedisUrl } from '../redis-url.js';
import { captureJob } from '../remote/capture.js';
import { SUBMITTER_TIMEOUT_MS } from '../remote/remote-job.js';
import { checkClusterSecret } from '../remote/cluster-secret.js';
import { readBundle } from '../remote/code-bundle.js';
import { BundleLoader } from './bundle-loader.js';
import { JobRunner } from './job-runner.js';
import { heartbeatScript, releaseScript } from './partition-scripts.js';
import { type RecoveryTiming, recoveryTiming } from './recovery-timing.js';
import { Slots } from './slots.js';

const DEFAULT_POLL_MS = 200;
const DEFAULT_CONCURRENCY = 8;

export interface SageWorkerOptions {
  /** Redis URL; default redis://127.0.0.1:6379. */
  redis?: string;
  /** Key prefix of the jobs to serve; default `sage`. */
  prefix?: string;
  /** Batches this process handles at once, over all partitions and jobs; default 8. */
  concurrency?: number;
  /** Only pipeline modules inside this directory are imported; default the working directory. */
  codeDir?: string;
  /** How often the job store is asked for running jobs, in ms; default 200. */
  pollMs?: number;
  /**
   * How a dead worker is replaced (ms, except the count): its partitions' leases expire after `leaseMs`
   * (default 10,000; renewed every `heartbeatMs`, default a quarter of it), its batch in progress returns to
   * its queue once the BullMQ lock (`lockDurationMs`, default 10,000) has expired and a stalled check has run
   * (every `stalledIntervalMs`, default 5,000); a batch stalled more than `maxStalledCount` times (default 5)
   * fails the job.
   */
  recovery?: Partial<RecoveryTiming>;
  /**
   * Whether this worker gives partitions back to workers that join a job it runs; default true. Turn it off when
   * jobs keep state only in memory (fields of a user function, buffers emitted in `finish()`) that moving a
   * partition would lose (keyed and window state are in Redis and move with it): newcomers then wait
   * for partitions to become free.
   */
  rebalance?: boolean;
  /**
   * Accept jobs whose module comes as a bundle signed with this secret (`code: 'bundle'`), wherever the module
   * lies; without it such jobs are refused. Never logged.
   */
  clusterSecret?: string;
  logger?: Logger;
}

/** Longest wait for the other workers to let go of an orphaned job before its queues are removed anyway. */
const ORPHAN_RELEASE_MS = 15_000;

/** Deletes every key of the job's batch and service queues once its worker set is empty (or after a while). */
async function removeQueuesWhenReleased(connection: Redis, keys: RedisKeys, id: string): Promise<void> {
  const deadline = Date.now() + ORPHAN_RELEASE_MS;
  while ((await connection.scard(keys.jobWorkers(id))) > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  for (const pattern of [`${keys.queuePrefix(id)}:*`, `${keys.serviceQueuePrefix(id)}:*`]) {
    let cursor = '0';
    do {
      const [next, found] = await connection.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
      if (found.length > 0) await connection.del(...found);
      cursor = next;
    } while (cursor !== '0');
  }
}

export class SageWorker {
  /** Shown in logs and in the job's worker set. */
  readonly id = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  private readonly runners = new Map<string, JobRunner>();
  /** Jobs this worker has refused or failed to load; not tried again. */
  private readonly refused = new Set<string>();
  private readonly keys: RedisKeys;
  private readonly slots: Slots;
  private readonly timing: RecoveryTiming;
  private readonly logger: Logger;
  private readonly bundles: BundleLoader;
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> = Promise.resolve();
  private pollRunning = false;
  private pollAgain = false;
  private stopListening: (() => Promise<void>) | undefined;
  private closed = false;

  private constructor(
    private readonly store: JobStore,
    private readonly connection: Redis,
    private readonly codeDir: string,
    private readonly options: SageWorkerOptions,
  ) {
    this.keys = new RedisKeys(options.prefix ?? DEFAULT_KEY_PREFIX);
    this.slots = new Slots(options.concurrency ?? DEFAULT_CONCURRENCY);
    this.timing = recoveryTiming(options.recovery);
    this.logger = options.logger ?? createLogger({ name: 'sage-worker' });
    this.bundles = new BundleLoader({ connection, keys: this.keys, clusterSecret: options.clusterSecret, codeDir, workerId: this.id });
  }

  /** Connects to Redis, checks what the runtime needs from it (version, `maxmemory-policy`) and starts watching for jobs. */
  static async start(options: SageWorkerOptions = {}): Promise<SageWorker> {
    const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new PipelineError(`worker concurrency must be a positive integer, got ${concurrency}`);
    recoveryTiming(options.recovery);
    if (options.clusterSecret !== undefined) checkClusterSecret(options.clusterSecret, 'the clusterSecret option');
    const codeDir = await realpath(resolve(options.codeDir ?? process.cwd())).catch(() => {
      throw new PipelineError(`worker code directory "${options.codeDir}" does not exist`);
    });
    const store = await JobStore.connect({ redis: options.redis, prefix: options.prefix, logger: options.logger, connectionKind: 'runtime' });
    const connection = await connectRedis(options.redis ?? DEFAULT_REDIS_URL, { kind: 'bullmq', connectionName: 'sage:worker', logger: options.logger }).catch(
      async (error) => {
        await store.close();
        throw error;
      },
    );
    const worker = new SageWorker(store, connection, codeDir, options);
    // Warnings (an evicting maxmemory-policy) go to the log; a Redis too old for BullMQ stops the start.
    await checkRedisRequirements(connection, { logger: worker.logger, url: parseRedisUrl(options.redis ?? DEFAULT_REDIS_URL).display }).catch(async (error) => {
      await worker.close();
      throw error;
    });
    worker.stopListening = await store.onJobStarted(() => worker.pollNow()).catch(async (error) => {
      await worker.close();
      throw error;
    });
    worker.schedule(0);
    return worker;
  }

  /** The jobs this process currently serves. */
  get jobs(): string[] {
    return [...this.runners.keys()];
  }

  /** Stops watching, lets go of every job (batches in progress finish first) and disconnects. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.timer);
    await this.stopListening?.();
    await this.polling;
    for (const id of [...this.runners.keys()]) await this.detach(id);
    await this.bundles.close();
    await this.store.close();
    await this.connection.quit().catch(() => this.connection.disconnect());
  }

  private schedule(delay: number): void {
    if (this.closed) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.pollRunning = true;
      this.polling = this.poll()
        .catch((error) => this.logger.warn({ err: error }, 'worker could not read the job store'))
        .finally(() => {
          this.pollRunning = false;
          const again = this.pollAgain;
          this.pollAgain = false;
          this.schedule(again ? 0 : (this.options.pollMs ?? DEFAULT_POLL_MS));
        });
    }, delay);
  }

  /** A job started: look at the store now rather than at the next poll (after the current one, if running). */
  private pollNow(): void {
    if (this.pollRunning) this.pollAgain = true;
    else this.schedule(0);
  }

  private async poll(): Promise<void> {
    const running = new Set((await this.store.list({ status: 'running', limit: 1000 })).map((job) => job.id));
    for (const id of this.runners.keys()) if (!running.has(id)) await this.detach(id);
    for (const id of await this.jobsWithoutSubmitter()) {
      running.delete(id);
      await this.failOrphan(id);
    }
    for (const id of running) {
      if (this.closed) return;
      if (!this.runners.has(id) && !this.refused.has(id)) await this.attach(id);
    }
  }

  /** Attached jobs whose submitting process has stopped renewing its heartbeat. */
  private async jobsWithoutSubmitter(): Promise<string[]> {
    const attached = [...this.runners.keys()];
    if (attached.length === 0) return [];
    const exists = await Promise.all(attached.map((id) => this.connection.exists(this.keys.jobSubmitter(id))));
    return attached.filter((_, index) => exists[index] === 0);
  }

  /**
   * Fails a job whose submitter is gone: its sources and services ran there, so it can never end. The worker
   * whose transition applied removes the job's queues once every worker has let go (the submitter would have).
   */
  private async failOrphan(id: string): Promise<void> {
    const message = `the submitting process of job ${id} stopped answering (no heartbeat for ${SUBMITTER_TIMEOUT_MS / 1000} s); its sources and services ran there, so the job cannot finish`;
    const outcome = await this.store.transition(id, 'failed', { error: { message, code: 'SAGE_PIPELINE' } });
    await this.detach(id);
    if (!outcome.applied) return;
    this.logger.error({ job: id }, message);
    await this.store.appendLogs(id, [{ message, level: 'error', source: this.id }]).catch(() => undefined);
    await removeQueuesWhenReleased(this.connection, this.keys, id).catch((error) => this.logger.warn({ err: error, job: id }, 'could not remove the queues of a failed job'));
  }

  private async attach(id: string): Promise<void> {
    // Registered before anything else, so the submitter waits for this process before removing the queues, and
    // counted as alive while it imports the module, so workers attaching together share the partitions.
    await heartbeatScript.run(this.connection, [this.keys.jobAlive(id), this.keys.jobWorkers(id), this.keys.jobTakers(id)], [this.id, this.timing.leaseMs, '0']);
    try {
      const record = await this.store.get(id);
      if (record?.status !== 'running') {
        await this.detach(id);
        return;
      }
      const bundle = await readBundle(this.connection, this.keys, id);
      const code = bundle === undefined ? `module ${record.module}` : `signed bundle of ${record.module}`;
      const url = bundle === undefined ? await this.moduleUrl(id, record.module) : await this.bundles.load(id, bundle);
      const job = await captureJob(url);
      if (job === undefined) throw new PipelineError(`pipeline module "${record.module}" did not call submit() on a RemoteEnvironment`);
      const runner = new JobRunner({
        jobId: id,
        job,
        store: this.store,
        keys: this.keys,
        connection: this.connection,
        logger: this.logger.child({ job: id }),
        slots: this.slots,
        workerId: this.id,
        timing: this.timing,
        rebalance: this.options.rebalance ?? true,
      });
      this.runners.set(id, runner);
      await runner.start();
      this.logger.info({ job: id, module: record.module, bundle: bundle !== undefined }, 'worker attached to job');
      await this.store.appendLogs(id, [{ message: `worker attached (${code})`, source: this.id }]);
    } catch (error) {
      this.refused.add(id);
      const { message, code } = error as { message?: string; code?: string };
      this.logger.error({ job: id, err: error }, 'worker cannot run job');
      await this.store.transition(id, 'failed', { error: { message: message ?? String(error), code } }).catch(() => undefined);
      await this.store.appendLogs(id, [{ message: message ?? String(error), level: 'error', source: this.id }]).catch(() => undefined);
      await this.detach(id);
    }
  }

  private async detach(id: string): Promise<void> {
    const runner = this.runners.get(id);
    this.runners.delete(id);
    if (runner !== undefined) await runner.close().catch((error) => this.logger.warn({ err: error, job: id }, 'worker failed to let go of job'));
    await releaseScript.run(this.connection, [this.keys.jobAlive(id), this.keys.jobTakers(id)], [this.id]);
    await this.connection.srem(this.keys.jobWorkers(id), this.id);
  }

  /** The module's file URL (with the job id, so each job imports it afresh), if it lies in the code directory. */
  private async moduleUrl(id: string, module: string | undefined): Promise<string> {
    if (module === undefined) throw new PipelineError(`job ${id} names no pipeline module`);
    const real = await realpath(module).catch(() => {
      throw new PipelineError(`pipeline module "${module}" of job ${id} does not exist on worker ${this.id}`);
    });
    const inside = relative(this.codeDir, real);
    if (inside === '' || inside.startsWith('..') || isAbsolute(inside)) {
      throw new PipelineError(
        `worker ${this.id} refuses pipeline module "${module}": it is outside the worker's code directory "${this.codeDir}" (start the worker with --code-dir)`,
      );
    }
    return `${pathToFileURL(real).href}?sage-job=${id}`;
  }
}
