/** The errors of remote jobs that users see (kept apart from the modules that use BullMQ and ioredis types). */
import { PipelineError, SageError, type SageErrorCode } from '@sage/common';

/** A remote job failed; message and code are those of the error recorded by the worker or source that failed. */
export class RemoteJobError extends SageError {
  readonly jobId: string;

  constructor(jobId: string, message: string, code: string) {
    super(code as SageErrorCode, message, { details: { jobId } });
    this.jobId = jobId;
  }
}

/** A record that cannot travel between processes as JSON. */
export class RecordNotSerializableError extends PipelineError {
  constructor(operator: string, reason: string) {
    super(`operator "${operator}" emitted a record that cannot be sent to a worker: ${reason} (records of a remote job must be JSON values)`);
  }
}
