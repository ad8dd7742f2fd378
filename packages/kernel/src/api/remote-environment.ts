import type { JobResult } from '../runtime/job-result.js';
import { RemoteSubmission, type RemoteSettings } from '../distributed/remote/remote-submission.js';
import { BaseEnvironment, type EnvironmentConfig, type SubmitOptions } from './environment.js';
import { executionTarget, remoteSettings } from './execution-target.js';

/** Settings of a remote environment: the local ones plus where Redis is and which module workers import. */
export interface RemoteEnvironmentConfig extends EnvironmentConfig, RemoteSettings {}

/**
 * Runs the job on `sage worker` processes (experimental). Sources run in this process; every other operator
 * instance runs on workers, which import the pipeline module to get the user's functions. In a worker,
 * `submit()` hands the graph over and throws, so code after it runs only in the submitting process.
 * Settings not given here come from the execution target (`sage run --remote --redis …`), if one is set.
 */
export class RemoteEnvironment extends BaseEnvironment {
  private readonly submission: RemoteSubmission;

  constructor(name: string, config: RemoteEnvironmentConfig = {}) {
    super(name, config);
    this.submission = new RemoteSubmission(this.submitted(), { ...remoteSettings(executionTarget()), ...remoteSettings(config) });
  }

  async submit(options: SubmitOptions = {}): Promise<JobResult> {
    return this.submission.submit(options);
  }

  /** The id of the job in the job store (for `sage job status`), once submitted. */
  get jobId(): string | undefined {
    return this.submission.jobId;
  }

  async awaitTermination(): Promise<JobResult | undefined> {
    return this.submission.awaitTermination();
  }

  /** Ends the sources; records in flight drain on the workers and the job ends as `stopped`. */
  async stop(): Promise<JobResult | undefined> {
    return this.submission.stop();
  }

  async close(): Promise<void> {
    await this.submission.close();
  }
}

