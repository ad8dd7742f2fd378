import { resolve } from 'node:path';
import { PipelineError } from '@sage/common';
import { compile, type ExecutionGraph } from '../graph/execution-graph.js';
import { CaptureComplete, captureHook } from '../distributed/remote/capture.js';
import { RemoteJob } from '../distributed/remote/remote-job.js';
import { JobStore } from '../distributed/job-store.js';
import { DEFAULT_KEY_PREFIX, RedisKeys } from '../distributed/keys.js';
import { connectRedis } from '../distributed/redis-connection.js';
import { DEFAULT_REDIS_URL } from '../distributed/redis-url.js';
import type { JobResult } from '../runtime/job-result.js';
import { BaseEnvironment, type EnvironmentConfig, type SubmitOptions } from './environment.js';

/** Settings of a remote environment: the local ones plus where Redis is and which module workers import. */
export interface RemoteEnvironmentConfig extends EnvironmentConfig {
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
}

/**
 * Runs the job on `sage worker` processes (experimental). Sources run in this process; every other operator
 * instance runs on workers, which import the pipeline module to get the user's functions. In a worker,
 * `submit()` hands the graph over and throws, so code after it runs only in the submitting process.
 */
export class RemoteEnvironment extends BaseEnvironment {
  private job: RemoteJob | undefined;
  private running: Promise<JobResult> | undefined;
  private last: JobResult | undefined;
  private closed = false;

  constructor(
    name: string,
    private readonly config: RemoteEnvironmentConfig = {},
  ) {
    super(name, config);
  }

  async submit(options: SubmitOptions = {}): Promise<JobResult> {
    if (this.closed) throw new PipelineError(`environment "${this.name}" is closed`);
    if (this.running !== undefined) throw new PipelineError(`job "${this.name}" is already running`);
    const graph = compile(this.graph);
    refuseLoops(graph);
    const hook = captureHook();
    if (hook !== undefined) {
      hook({ graph, services: this.services, batchSize: this.settings.batchSize, lingerMs: this.settings.lingerMs });
      throw new CaptureComplete();
    }
    const { redis = DEFAULT_REDIS_URL, prefix = DEFAULT_KEY_PREFIX, connectTimeoutMs } = this.config;
    const module = resolve(this.config.module ?? process.argv[1] ?? '');
    const store = await JobStore.connect({ redis, prefix, connectTimeoutMs, logger: this.logger, connectionKind: 'runtime' });
    const connection = await connectRedis(redis, { kind: 'bullmq', connectTimeoutMs, connectionName: 'sage:submit', logger: this.logger }).catch(
      async (error) => {
        await store.close();
        throw error;
      },
    );
    const release = async () => {
      await store.close();
      await connection.quit().catch(() => connection.disconnect());
    };
    try {
      this.job = await RemoteJob.start({
        graph,
        services: this.services,
        store,
        connection,
        keys: new RedisKeys(prefix),
        module,
        clock: this.settings.clock,
        logger: this.logger,
        batchSize: this.settings.batchSize,
        lingerMs: this.settings.lingerMs,
      });
    } catch (error) {
      await release();
      throw error;
    }
    const job = this.job;
    const detachSignals = this.settings.handleSignals ? this.attachSignals() : () => {};
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

  /** The id of the job in the job store (for `sage job status`), once submitted. */
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
    let interrupts = 0;
    const onInterrupt = () => {
      interrupts++;
      if (interrupts > 1) process.exit(130);
      this.logger.warn('stopping: sources end, the workers drain what is in flight (Ctrl+C again to exit now)');
      this.stop().catch((error: unknown) => this.logger.error({ err: error }, 'stop failed'));
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
      `RemoteEnvironment does not run feedback loops yet ("${looped.transformation.options.name}" is on one); run this job in a LocalEnvironment`,
    );
  }
}
