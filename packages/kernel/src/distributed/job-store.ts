/**
 * The job manager's state in Redis: job records, their status changes, per-operator metrics merged from every
 * worker, logs, and stop requests. Key names are in keys.ts, field layout in job-codec.ts; every multi-key
 * change is one Lua script (job-store-scripts.ts).
 */
import { type Logger, PipelineError, ValidationError } from '@sage/common';
import type { Redis } from 'ioredis';
import {
  ALLOWED_TRANSITIONS,
  isFinalStatus,
  JOB_RECORD_STATUSES,
  type JobGraphSummary,
  type JobLogEntry,
  type JobLogInput,
  type JobRecord,
  type JobRecordStatus,
  type JobSummary,
  newJobId,
  type OperatorMetricsDelta,
} from './job-record.js';
import { checkGraph, runSeconds, toLogEntry, toSummary } from './job-codec.js';
import { metricsScriptArguments, toOperatorMetrics } from './job-metrics.js';
import {
  appendLogsScript,
  createJobScript,
  mergeMetricsScript,
  requestStopScript,
  transitionScript,
} from './job-store-scripts.js';
import { DEFAULT_KEY_PREFIX, isJobId, RedisKeys } from './keys.js';
import { connectRedis } from './redis-connection.js';
import type { RedisRequirementFinding, RedisRequirementOptions } from './redis-requirements.js';
import { checkRedisRequirements } from './redis-server-check.js';
import { DEFAULT_REDIS_URL, parseRedisUrl, type RedisEndpoint, type RedisTlsOptions } from './redis-url.js';

export const DEFAULT_MAX_LOG_ENTRIES = 10_000;
const DEFAULT_LIST_LIMIT = 100;
const DEFAULT_FOLLOW_BLOCK_MS = 1000;
const FINAL_STATUSES = JOB_RECORD_STATUSES.filter(isFinalStatus).join(' ');

export interface JobStoreOptions {
  /** Redis URL; default redis://127.0.0.1:6379. */
  redis?: string;
  /** Prefix of every key; default `sage`. Jobs under different prefixes do not see each other. */
  prefix?: string;
  connectTimeoutMs?: number;
  tls?: RedisTlsOptions;
  logger?: Logger;
  /** Wall-clock time in epoch milliseconds; `Date.now` unless injected. */
  now?: () => number;
  /** Log entries kept per job (approximately: Redis trims whole stream nodes); default 10000. */
  maxLogEntries?: number;
  /**
   * `command` (default, the CLI): a command fails after a few reconnect attempts. `runtime` (a running job's
   * submitter and workers): commands wait through a Redis restart of up to about a minute.
   */
  connectionKind?: 'command' | 'runtime';
}

export interface CreateJobOptions {
  name: string;
  graph: JobGraphSummary;
  /** Absolute path of the pipeline module, for workers to import. */
  module?: string;
}

export interface ListJobsOptions {
  status?: JobRecordStatus;
  /** Newest first; default 100. */
  limit?: number;
}

/** A status change either happened, or was refused because of the status the job was in. */
export type TransitionResult =
  | { applied: true; previous: JobRecordStatus }
  | { applied: false; current: JobRecordStatus };

/**
 * `stopped`: the job had not started and is now stopped. `requested`: the job runs; its executor was told and
 * moves it to `stopped`. `ended`: the job had already ended; nothing changed.
 */
export interface StopResult {
  outcome: 'stopped' | 'requested' | 'ended';
  /** The status before the request. */
  status: JobRecordStatus;
}

export interface FollowLogsOptions {
  /** Only entries after this stream id (e.g. the last one `readLogs` returned); default: from the start. */
  after?: string;
  signal?: AbortSignal;
  /** How long one blocking read waits before the job's status is checked again; default 1000. */
  blockMs?: number;
}

/** No job with this id exists under the store's prefix. */
export class JobNotFoundError extends ValidationError {
  readonly jobId: string;

  constructor(jobId: string) {
    super(`no job "${jobId}"`, { details: { jobId } });
    this.jobId = jobId;
  }
}

export class JobStore {
  /** The Redis URL with any password masked. */
  readonly url: string;
  readonly prefix: string;
  private readonly keys: RedisKeys;
  private readonly now: () => number;
  private readonly maxLogEntries: number;

  private constructor(
    private readonly client: Redis,
    private readonly endpoint: RedisEndpoint,
    private readonly options: JobStoreOptions,
    keys: RedisKeys,
    maxLogEntries: number,
  ) {
    this.keys = keys;
    this.prefix = keys.prefix;
    this.url = endpoint.display;
    this.now = options.now ?? Date.now;
    this.maxLogEntries = maxLogEntries;
  }

  /** Connects (failing within the connect timeout with a `RedisConnectionError`) and returns the store. */
  static async connect(options: JobStoreOptions = {}): Promise<JobStore> {
    // Every option is checked before a connection exists that would need closing.
    const endpoint = parseRedisUrl(options.redis ?? DEFAULT_REDIS_URL);
    const keys = new RedisKeys(options.prefix ?? DEFAULT_KEY_PREFIX);
    const maxLogEntries = positiveInteger('maxLogEntries', options.maxLogEntries ?? DEFAULT_MAX_LOG_ENTRIES);
    const client = await connectRedis(endpoint, { ...connectOptions(options), connectionName: 'sage:job-store' });
    return new JobStore(client, endpoint, options, keys, maxLogEntries);
  }

  /** Checks the server's version and `maxmemory-policy`: warnings are logged, violations throw under `strict`. */
  async checkRequirements(options: RedisRequirementOptions = {}): Promise<RedisRequirementFinding[]> {
    return checkRedisRequirements(this.client, { ...options, logger: this.options.logger, url: this.url });
  }

  /** Records a new job in status `submitted`. */
  async create(options: CreateJobOptions): Promise<JobRecord> {
    if (typeof options.name !== 'string' || options.name === '') throw new ValidationError('job name must be a non-empty string');
    const graph = checkGraph(options.graph);
    const submittedAt = this.now();
    const id = newJobId(submittedAt);
    if (options.module !== undefined && (typeof options.module !== 'string' || options.module === '')) {
      throw new ValidationError('job module must be a non-empty path');
    }
    const fields = {
      id,
      name: options.name,
      status: 'submitted',
      graph: JSON.stringify(graph),
      submittedAt: String(submittedAt),
      ...(options.module === undefined ? {} : { module: options.module }),
    };
    const created = await createJobScript.run(
      this.client,
      [this.keys.job(id), this.keys.jobIndex(), this.keys.statusIndex('submitted')],
      [id, submittedAt, ...Object.entries(fields).flat()],
    );
    if (created !== 1) throw new PipelineError(`job id ${id} exists already`);
    return (await this.get(id))!;
  }

  /** The job with its graph and merged metrics, or undefined when there is none with this id. */
  async get(id: string): Promise<JobRecord | undefined> {
    if (!isJobId(id)) return undefined;
    const [[, fields], [, metrics]] = (await this.client
      .multi()
      .hgetall(this.keys.job(id))
      .hgetall(this.keys.jobMetrics(id))
      .exec()) as [[unknown, Record<string, string>], [unknown, Record<string, string>]];
    if (fields.status === undefined) return undefined;
    const summary = toSummary(fields);
    const graph = JSON.parse(fields.graph ?? '{"operators":[],"edges":[]}') as JobGraphSummary;
    return { ...summary, graph, operators: toOperatorMetrics(graph, metrics, runSeconds(fields, this.now())) };
  }

  /** Jobs, newest first, optionally only those in one status. */
  async list(options: ListJobsOptions = {}): Promise<JobSummary[]> {
    const limit = positiveInteger('limit', options.limit ?? DEFAULT_LIST_LIMIT);
    if (options.status !== undefined) checkStatus(options.status);
    const index = options.status === undefined ? this.keys.jobIndex() : this.keys.statusIndex(options.status);
    const ids = await this.client.zrevrange(index, 0, limit - 1);
    const pipeline = this.client.pipeline();
    for (const id of ids) pipeline.hgetall(this.keys.job(id));
    const replies = (await pipeline.exec()) ?? [];
    return replies
      .map(([, fields]) => fields as Record<string, string>)
      .filter((fields) => fields.status !== undefined)
      .map(toSummary);
  }

  /**
   * Moves a job to `status` if its current status allows it (see `ALLOWED_TRANSITIONS`): finished, failed and
   * stopped jobs never change again. `error` is recorded for `failed`.
   */
  async transition(id: string, status: JobRecordStatus, options: { error?: { message: string; code?: string } } = {}): Promise<TransitionResult> {
    checkStatus(status);
    const allowedFrom = JOB_RECORD_STATUSES.filter((from) => ALLOWED_TRANSITIONS[from].includes(status));
    const error = status === 'failed' ? options.error : undefined;
    const [outcome, current] = (await transitionScript.run(this.client, this.statusKeys(id), [
      id,
      status,
      this.now(),
      allowedFrom.join(' '),
      isFinalStatus(status) ? '1' : '0',
      error?.message ?? '',
      error === undefined ? '' : (error.code ?? 'SAGE_UNKNOWN'),
    ])) as [string, JobRecordStatus | undefined];
    if (outcome === 'missing') throw new JobNotFoundError(id);
    if (outcome !== 'applied') return { applied: false, current: current! };
    // Workers watching the store attach now instead of at their next poll; a missed message costs only that.
    if (status === 'running') await this.client.publish(this.keys.jobsStarted(), id).catch(() => undefined);
    return { applied: true, previous: current! };
  }

  /** Calls `listener` with the id of each job that starts running under this prefix; resolves to unsubscribe. */
  async onJobStarted(listener: (id: string) => void): Promise<() => Promise<void>> {
    const channel = this.keys.jobsStarted();
    const subscriber = await connectRedis(this.endpoint, { ...connectOptions(this.options), connectionName: 'sage:jobs-started' });
    subscriber.on('message', (from: string, id: string) => {
      if (from === channel) listener(id);
    });
    try {
      await subscriber.subscribe(channel);
    } catch (error) {
      subscriber.disconnect();
      throw error;
    }
    return async () => {
      subscriber.disconnect();
    };
  }

  /** Asks a job to stop; see `StopResult`. The executor learns of it from `onStopRequested` or `isStopRequested`. */
  async requestStop(id: string): Promise<StopResult> {
    const [outcome, status] = (await requestStopScript.run(this.client, this.statusKeys(id), [
      id,
      this.now(),
      this.keys.jobControl(id),
      FINAL_STATUSES,
    ])) as [string, JobRecordStatus];
    if (outcome === 'missing') throw new JobNotFoundError(id);
    return { outcome: outcome as StopResult['outcome'], status };
  }

  /** Whether a stop was requested (a flag the executor may poll). */
  async isStopRequested(id: string): Promise<boolean> {
    return (await this.client.hexists(this.keys.job(existing(id)), 'stopRequestedAt')) === 1;
  }

  /**
   * Calls `listener` once when a stop of the job is requested, also if that happened before this call.
   * Resolves with a function that stops listening. Uses its own connection (a subscribed connection can do
   * nothing else).
   */
  async onStopRequested(id: string, listener: () => void): Promise<() => Promise<void>> {
    const channel = this.keys.jobControl(existing(id));
    const subscriber = await connectRedis(this.endpoint, { ...connectOptions(this.options), connectionName: 'sage:job-control' });
    let called = false;
    const notify = () => {
      if (called) return;
      called = true;
      listener();
    };
    subscriber.on('message', (from: string, message: string) => {
      if (from === channel && message === 'stop') notify();
    });
    try {
      await subscriber.subscribe(channel);
      if (await this.isStopRequested(id)) notify();
    } catch (error) {
      subscriber.disconnect();
      throw error;
    }
    return async () => {
      subscriber.disconnect();
    };
  }

  /** Adds one worker's counters for several operators, atomically; concurrent merges add up. */
  async mergeMetrics(id: string, deltas: Readonly<Record<string, OperatorMetricsDelta>>): Promise<void> {
    const args = metricsScriptArguments(deltas);
    if (args.length === 0) return;
    const merged = await mergeMetricsScript.run(this.client, [this.keys.job(existing(id)), this.keys.jobMetrics(id)], args);
    if (merged !== 1) throw new JobNotFoundError(id);
  }

  /** Appends log lines to the job's capped log. */
  async appendLogs(id: string, entries: readonly JobLogInput[]): Promise<void> {
    if (entries.length === 0) return;
    const time = this.now();
    const args: Array<string | number> = [this.maxLogEntries];
    for (const entry of entries) {
      if (typeof entry?.message !== 'string') throw new ValidationError('a job log entry needs a string message');
      args.push(time, entry.level ?? 'info', entry.source ?? '', entry.message);
    }
    const written = await appendLogsScript.run(this.client, [this.keys.job(existing(id)), this.keys.jobLogs(id)], args);
    if (written === 0) throw new JobNotFoundError(id);
  }

  /** The last `tail` log entries, oldest first. */
  async readLogs(id: string, options: { tail?: number } = {}): Promise<JobLogEntry[]> {
    const tail = positiveInteger('tail', options.tail ?? 100);
    const entries = await this.client.xrevrange(this.keys.jobLogs(existing(id)), '+', '-', 'COUNT', tail);
    return entries.map(toLogEntry).reverse();
  }

  /**
   * Log entries as they are written, until the job has ended and its last entries were read, or `signal`
   * aborts. Uses its own connection for the blocking reads.
   */
  async *followLogs(id: string, options: FollowLogsOptions = {}): AsyncGenerator<JobLogEntry> {
    const key = this.keys.jobLogs(existing(id));
    const blockMs = positiveInteger('blockMs', options.blockMs ?? DEFAULT_FOLLOW_BLOCK_MS);
    const reader = await connectRedis(this.endpoint, { ...connectOptions(this.options), connectionName: 'sage:job-logs' });
    const abort = () => reader.disconnect();
    options.signal?.addEventListener('abort', abort, { once: true });
    let last = options.after ?? '0-0';
    try {
      while (!options.signal?.aborted) {
        const reply = (await reader.xread('COUNT', 1000, 'BLOCK', blockMs, 'STREAMS', key, last).catch((error: Error) => {
          if (options.signal?.aborted) return null;
          throw error;
        })) as Array<[string, Array<[string, string[]]>]> | null;
        const entries = reply?.[0]?.[1] ?? [];
        for (const entry of entries) {
          last = entry[0];
          yield toLogEntry(entry);
        }
        if (entries.length > 0 || options.signal?.aborted) continue;
        const status = (await this.client.hget(this.keys.job(id), 'status')) as JobRecordStatus | null;
        if (status !== null && !isFinalStatus(status)) continue;
        // Ended (or deleted): lines written just before the final status are still read. (Not `(id`: exclusive
        // ranges need Redis 6.2.)
        for (const entry of await this.client.xrange(key, last, '+')) if (entry[0] !== last) yield toLogEntry(entry);
        return;
      }
    } finally {
      options.signal?.removeEventListener('abort', abort);
      reader.disconnect();
    }
  }

  /**
   * Removes the job, its metrics, logs and queues. A job that has not ended is refused unless `force`: its
   * workers would go on writing. Resolves with whether the job existed.
   */
  async delete(id: string, options: { force?: boolean } = {}): Promise<boolean> {
    if (!isJobId(id)) return false;
    const status = (await this.client.hget(this.keys.job(id), 'status')) as JobRecordStatus | null;
    if (status !== null && !isFinalStatus(status) && !options.force) {
      throw new ValidationError(`job "${id}" is ${status}: stop it before deleting it, or delete with force`);
    }
    const transaction = this.client.multi().zrem(this.keys.jobIndex(), id);
    for (const indexStatus of JOB_RECORD_STATUSES) transaction.zrem(this.keys.statusIndex(indexStatus), id);
    await transaction.del(this.keys.job(id)).exec();
    let cursor = '0';
    do {
      const [next, keys] = await this.client.scan(cursor, 'MATCH', this.keys.jobKeyPattern(id), 'COUNT', 500);
      if (keys.length > 0) await this.client.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
    return status !== null;
  }

  async close(): Promise<void> {
    await this.client.quit().catch(() => this.client.disconnect());
  }

  /** KEYS of the transition scripts: the job hash, then every status index in `JOB_RECORD_STATUSES` order. */
  private statusKeys(id: string): string[] {
    return [this.keys.job(existing(id)), ...JOB_RECORD_STATUSES.map((status) => this.keys.statusIndex(status))];
  }
}

/** The id, if it can name a job; a string that cannot is a job that does not exist. */
function existing(id: string): string {
  if (!isJobId(id)) throw new JobNotFoundError(id);
  return id;
}

function connectOptions(options: JobStoreOptions) {
  return { kind: options.connectionKind ?? 'command', connectTimeoutMs: options.connectTimeoutMs, tls: options.tls, logger: options.logger };
}

function checkStatus(status: string): void {
  if (!JOB_RECORD_STATUSES.includes(status as JobRecordStatus)) {
    throw new ValidationError(`job status must be one of ${JOB_RECORD_STATUSES.join(', ')}, got "${status}"`);
  }
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new ValidationError(`${name} must be a positive integer, got ${String(value)}`);
  return value;
}
