import { PipelineError } from '@sage/common';
import { compile } from '../graph/execution-graph.js';
import type { JobResult } from '../runtime/job-result.js';
import { LocalExecutor } from '../runtime/local-executor.js';
import { captureHook } from '../distributed/remote/capture.js';
import { RemoteSubmission } from '../distributed/remote/remote-submission.js';
import { BaseEnvironment, type SubmitOptions } from './environment.js';
import { executionTarget, remoteSettings } from './execution-target.js';

/**
 * Runs the job in this process, unless a remote execution target is set (`sage run --remote`): then the same
 * graph runs on workers as in a `RemoteEnvironment`. In a worker importing the file, `submit()` hands the
 * graph over as a `RemoteEnvironment` does. `submit({ autostop: true })` resolves with the job's metrics when every
 * sink has received the end of its streams; without `autostop` it resolves as soon as the job runs, and
 * `stop()` ends it.
 */
export class LocalEnvironment extends BaseEnvironment {
  private executor: LocalExecutor | undefined;
  private running: Promise<JobResult> | undefined;
  private closed = false;
  private remote: RemoteSubmission | undefined;

  async submit(options: SubmitOptions = {}): Promise<JobResult> {
    const target = executionTarget();
    if (this.remote === undefined && (target !== undefined || captureHook() !== undefined)) {
      this.remote = new RemoteSubmission(this.submitted(), remoteSettings(target));
    }
    if (this.remote !== undefined) return this.remote.submit(options);
    if (this.closed) throw new PipelineError(`environment "${this.name}" is closed`);
    if (this.running !== undefined) throw new PipelineError(`job "${this.name}" is already running`);
    const graph = compile(this.graph);
    const executor = new LocalExecutor(graph, this.services, { ...this.settings, logger: this.logger, restartStrategy: this.restartStrategy });
    this.executor = executor;
    const detachSignals = this.settings.handleSignals ? this.attachSignals(executor) : () => {};
    this.running = executor.run().finally(() => {
      detachSignals();
      this.running = undefined;
    });
    if (options.autostop) return this.running;
    // Keep a failure of a detached job from being an unhandled rejection; awaitTermination() reports it.
    this.running.catch(() => {});
    return executor.result();
  }

  /** Resolves with the final result of the running (or last) job. */
  async awaitTermination(): Promise<JobResult | undefined> {
    if (this.remote !== undefined) return this.remote.awaitTermination();
    if (this.running !== undefined) return this.running;
    return this.executor?.result();
  }

  /** Stops the running job gracefully: sources end, records in flight drain, sinks close. */
  async stop(): Promise<JobResult | undefined> {
    if (this.remote !== undefined) return this.remote.stop();
    if (this.running === undefined) return this.executor?.result();
    this.executor!.stop();
    return this.running;
  }

  /** Stops any running job; the environment cannot submit again. */
  async close(): Promise<void> {
    if (this.remote !== undefined) return this.remote.close();
    if (this.running !== undefined) await this.stop().catch(() => undefined);
    this.closed = true;
  }

  private attachSignals(executor: LocalExecutor): () => void {
    let interrupts = 0;
    const onInterrupt = () => {
      interrupts++;
      if (interrupts === 1) {
        this.logger.warn('stopping: sources end, records in flight drain, sinks close (Ctrl+C again to exit now)');
        executor.stop();
      } else {
        process.exit(130);
      }
    };
    process.on('SIGINT', onInterrupt);
    process.on('SIGTERM', onInterrupt);
    return () => {
      process.off('SIGINT', onInterrupt);
      process.off('SIGTERM', onInterrupt);
    };
  }
}
