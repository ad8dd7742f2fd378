import type { OperatorMetrics } from './metrics.js';

export type JobStatus = 'running' | 'finished' | 'stopped' | 'failed';

/** What `submit()` resolves with: the job's outcome and per-operator metrics, keyed by operator name. */
export interface JobResult {
  jobName: string;
  status: JobStatus;
  /** ISO time the job started. */
  startedAt: string;
  durationMs: number;
  operators: Record<string, OperatorMetrics>;
}
