/**
 * Submitting an environment's graph as a remote job, shared by `RemoteEnvironment` and by a `LocalEnvironment`
 * run under a remote execution target (`sage run --remote`). In a worker that imports the pipeline module, it
 * hands the graph to the capture hook instead and throws, whatever the environment class.
 */
import { resolve } from 'node:path';
import { type Logger, PipelineError, ValidationError } from '@sage/common';
import type { JobGraph } from '../../graph/job-graph.js';
import { compile, type ExecutionGraph } from '../../graph/execution-graph.js';
import type { Clock } from '../../runtime/clock.js';
import type { JobResult } from '../../runtime/job-result.js';
import type { RestartStrategy } from '../../runtime/restart-strategy.js';
import type { ServiceDefinition } from '../../services/service-registry.js';
import { JobStore } from '../job-store.js';
import { DEFAULT_KEY_PREFIX, RedisKeys } from '../keys.js';
import { connectRedis } from '../redis-connection.js';
import { DEFAULT_REDIS_URL } from '../redis-url.js';
import { CaptureComplete, captureHook } from './capture.js';
import { CLUSTER_SECRET_VARIABLE, checkClusterSecret } from './cluster-secret.js';
import { bundleModule, signBundle, storeBundle } from './code-bundle.js';
import { RemoteJob } from './remote-job.js';

/** Where Redis is and how workers get the pipeline module. */
export interface RemoteSettings {
  /** Redis URL; default redis://127.0.0.1:6379. */
  redis?: string;
  /** Key prefix of the job store; default `sage`. Workers must use the same one. */
  prefix?: string;
  /**
   * The pipeline module workers import to build the same graph: a path they can read at the same place
   * (shared disk or the same checkout). Default: the script this process was started with (`process.argv[1]`).
   */
  module?: string;
  connectTimeoutMs?: number;
  /**
   * How the module reaches the workers: `path` (default), imported by workers from the same path inside their
   * code directory; or `bundle`, bundled here and stored in Redis signed with the cluster secret, for workers
   * that hold the same secret, wherever their code directory is.
   */
  code?: 'path' | 'bundle';
  /** Signs bundles (`code: 'bundle'`); default the SAGE_CLUSTER_SECRET environment variable. Never stored or logged. */
  clusterSecret?: string;
}

/** What an environment hands over: its graph and settings, read when `submit()` is called. */
export interface SubmittedEnvironment {
  name: string;
  graph: JobGraph;
  services: readonly ServiceDefinition[];
  batchSize: number;
  lingerMs: number;
  clock: Clock;
  handleSignals: boolean;
  logger: Logger;
  /** The job's restart strategy, applied by the workers. */
  readonly restartStrategy: RestartStrategy | undefined;
}

export class RemoteSubmission {
  private job: RemoteJob | undefined;
  private running: Promise<JobResult> | undefined;
  private last: JobResult | undefined;
  private closed = false;

  constructor(
    private readonly environment: SubmittedEnvironment,
    private readonly settings: RemoteSettings,
  ) {}

  async submit(options: { autostop?: boolean }): Promise<JobResult> {
    const { name, services, batchSize, lingerMs, clock, logger } = this.environment;
    if (this.closed) throw new PipelineError(`environment "${name}" is closed`);
    if (this.running !== undefined) throw new PipelineError(`job "${name}" is already running`);
    const graph = compile(this.environment.graph);
    refuseLoops(graph);
    const hook = captureHook();
    if (hook !== undefined) {
      hook({ graph, services, batchSize, lingerMs, restartStrategy: this.environment.restartStrategy });
      throw new CaptureComplete();
    }
    const { redis = DEFAULT_REDIS_URL, prefix = DEFAULT_KEY_PREFIX, connectTimeoutMs } = this.settings;
    const module = resolve(this.settings.module ?? process.argv[1] ?? '');
    const bundle = await this.bundle(module);
    const store = await JobStore.connect({ redis, prefix, connectTimeoutMs, logger, connectionKind: 'runtime' });
    const connection = await connectRedis(redis, { kind: 'bullmq', connectTimeoutMs, connectionName: 'sage:submit', logger }).catch(async (error) => {
      await store.close();
      throw error;
    });
    const release = async () => {
      await store.close();
      await connection.quit().catch(() => connection.disconnect());
    };
    try {
      const keys = new RedisKeys(prefix);
      const beforeRunning =
        bundle === undefined
          ? undefined
          : (jobId: string) => storeBundle(connection, keys, jobId, { code: bundle.code, signature: signBundle(bundle.secret, jobId, bundle.code) });
      this.job = await RemoteJob.start({ graph, services, store, connection, keys, module, clock, logger, batchSize, lingerMs, beforeRunning });
    } catch (error) {
      await release();
      throw error;
    }
    const job = this.job;
    const detachSignals = this.environment.handleSignals ? this.attachSignals() : () => {};
    this.running = job
      .run()
      .then((result) => (this.last = result))
      .finally(async () => {
        detachSignals();
        this.running = undefined;
        await release();
      });
    if (options.autostop) return this.running;
    // A detached job's failure is reported by awaitTermination(), not as an unhandled rejection.
    this.running.catch(() => {});
    return job.result();
  }

  /** With `code: 'bundle'`: the module bundled, and the secret to sign it with once the job has an id. */
  private async bundle(module: string): Promise<{ code: string; secret: string } | undefined> {
    const { code = 'path', clusterSecret } = this.settings;
    if (code === 'path') return undefined;
    if (code !== 'bundle') throw new ValidationError(`remote setting "code" must be 'path' or 'bundle', got ${JSON.stringify(code)}`);
    const fromEnvironment = process.env[CLUSTER_SECRET_VARIABLE];
    if (clusterSecret === undefined && !fromEnvironment) {
      throw new ValidationError(`code: 'bundle' needs a cluster secret to sign the bundle: set ${CLUSTER_SECRET_VARIABLE} or the clusterSecret option`);
    }
    const secret =
      clusterSecret === undefined ? checkClusterSecret(fromEnvironment!, CLUSTER_SECRET_VARIABLE) : checkClusterSecret(clusterSecret, 'the clusterSecret option');
    return { code: await bundleModule(module), secret };
  }

  get jobId(): string | undefined {
    return this.job?.id;
  }

  async awaitTermination(): Promise<JobResult | undefined> {
    if (this.running !== undefined) return this.running;
    return this.last;
  }

  /** Ends the sources; records in flight drain on the workers and the job ends as `stopped`. */
  async stop(): Promise<JobResult | undefined> {
    if (this.running === undefined) return this.last;
    await this.job!.stop();
    return this.running;
  }

  async close(): Promise<void> {
    if (this.running !== undefined) await this.stop().catch(() => undefined);
    this.closed = true;
  }

  /** Ctrl+C stops the job as stop() does; a second one exits at once. */
  private attachSignals(): () => void {
    const { logger } = this.environment;
    let interrupts = 0;
    const onInterrupt = () => {
      interrupts++;
      if (interrupts > 1) process.exit(130);
      logger.warn('stopping: sources end, the workers drain what is in flight (Ctrl+C again to exit now)');
      this.stop().catch((error: unknown) => logger.error({ err: error }, 'stop failed'));
    };
    process.on('SIGINT', onInterrupt);
    process.on('SIGTERM', onInterrupt);
    return () => {
      process.off('SIGINT', onInterrupt);
      process.off('SIGTERM', onInterrupt);
    };
  }
}

function refuseLoops(graph: ExecutionGraph): void {
  const looped = graph.vertices.find((vertex) => vertex.loop !== undefined);
  if (looped !== undefined) {
    throw new PipelineError(
      `remote execution (RemoteEnvironment, sage run --remote) does not run feedback loops yet ("${looped.transformation.options.name}" is on one); run this job in a LocalEnvironment`,
    );
  }
}
