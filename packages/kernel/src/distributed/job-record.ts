/** The job manager's view of a job, as stored in Redis and shown by `sage job`. */
import { randomBytes } from 'node:crypto';
import type { OperatorMetrics } from '../runtime/metrics.js';

/** `submitted` until an executor starts it; `finished`, `failed` and `stopped` are final. */
export type JobRecordStatus = 'submitted' | 'running' | 'finished' | 'failed' | 'stopped';

export const JOB_RECORD_STATUSES: readonly JobRecordStatus[] = ['submitted', 'running', 'finished', 'failed', 'stopped'];

/** The statuses a job may move to from each status. Final statuses move nowhere. */
export const ALLOWED_TRANSITIONS: Readonly<Record<JobRecordStatus, readonly JobRecordStatus[]>> = {
  submitted: ['running', 'failed', 'stopped'],
  running: ['finished', 'failed', 'stopped'],
  finished: [],
  failed: [],
  stopped: [],
};

export function isFinalStatus(status: JobRecordStatus): boolean {
  return ALLOWED_TRANSITIONS[status].length === 0;
}

/** The submitted graph as plain JSON: what runs where, without user code. */
export interface JobGraphSummary {
  operators: Array<{ name: string; kind: string; parallelism: number }>;
  /** `partitioner` is forward, rebalance, hash or broadcast. */
  edges: Array<{ from: string; to: string; partitioner: string }>;
}

/** One row of `sage job list`. Times are ISO strings; absent fields have not happened. */
export interface JobSummary {
  id: string;
  name: string;
  status: JobRecordStatus;
  submittedAt: string;
  startedAt?: string;
  endedAt?: string;
  /** Set when a stop was requested while the job ran; the executor then moves it to `stopped`. */
  stopRequestedAt?: string;
  /** Why a `failed` job failed. */
  error?: { message: string; code: string };
  /** Absolute path of the pipeline module that workers import (remote jobs). */
  module?: string;
}

/** A job with its graph and the per-operator metrics merged from every worker, keyed by operator name. */
export interface JobRecord extends JobSummary {
  graph: JobGraphSummary;
  operators: Record<string, OperatorMetrics>;
}

/** Counters one worker adds for one operator. Counts are integers; `maxQueueDepth` is merged as a maximum. */
export interface OperatorMetricsDelta {
  recordsIn?: number;
  recordsOut?: number;
  batchesIn?: number;
  skipped?: number;
  retries?: number;
  errors?: number;
  restarts?: number;
  busyMs?: number;
  maxQueueDepth?: number;
}

/** One log line of a job. `id` is the Redis stream entry id: later lines have larger ids. */
export interface JobLogEntry {
  id: string;
  time: string;
  level: string;
  /** Who wrote it: a worker, an operator instance, the client. */
  source: string;
  message: string;
}

export interface JobLogInput {
  message: string;
  level?: 'debug' | 'info' | 'warn' | 'error';
  source?: string;
}

/**
 * A new job id, sortable by creation time: 9 base-36 digits of epoch milliseconds, `-`, 6 random base-36
 * digits (e.g. `0mgx1k2p3-x8f2k1`).
 */
export function newJobId(epochMs: number, random: (size: number) => Buffer = randomBytes): string {
  const time = Math.floor(epochMs).toString(36).padStart(9, '0');
  const suffix = [...random(6)].map((byte) => (byte % 36).toString(36)).join('');
  return `${time}-${suffix}`;
}
