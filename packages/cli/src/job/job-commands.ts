/**
 * `sage job list | status | stop | logs`: the job manager's records in Redis. The Redis URL is `--redis`, else
 * REDIS_URL (environment, then `.env`), else `redis.url` of sage.config.yaml, else redis://127.0.0.1:6379.
 */
import { isSageError } from '@sage/common';
import { type JobRecordStatus, JobStore, parseRedisUrl } from '@sage/kernel';
import type { CliIo } from '../cli-io.js';
import { createDoctorContext } from '../doctor/doctor.js';
import { resolveRedisUrl } from '../doctor/redis-check.js';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from '../exit-codes.js';
import { formatError } from '../format-error.js';
import { formatJobList, formatJobStatus, formatLogEntry } from './format-job.js';

/** Options every `sage job` command takes. */
export interface JobConnectionOptions {
  redis?: string;
  prefix?: string;
  json?: boolean;
  /** Longest wait for Redis, in ms (tests shorten it). */
  connectTimeoutMs?: number;
}

export async function jobList(io: CliIo, options: JobConnectionOptions & { status?: JobRecordStatus; limit?: number }): Promise<number> {
  return withStore(io, options, async (store) => {
    const jobs = await store.list({ status: options.status, limit: options.limit });
    if (options.json) io.stdout.write(`${JSON.stringify(jobs, null, 2)}\n`);
    else if (jobs.length === 0) io.stdout.write(`no ${options.status ?? ''}${options.status ? ' ' : ''}jobs ${where(store)}\n`);
    else io.stdout.write(formatJobList(jobs, Date.now()));
    return EXIT_OK;
  });
}

export async function jobStatus(io: CliIo, id: string, options: JobConnectionOptions): Promise<number> {
  return withStore(io, options, async (store) => {
    const job = await store.get(id);
    if (job === undefined) return noSuchJob(io, 'status', id, store);
    io.stdout.write(options.json ? `${JSON.stringify(job, null, 2)}\n` : formatJobStatus(job, Date.now()));
    return EXIT_OK;
  });
}

export async function jobStop(io: CliIo, id: string, options: JobConnectionOptions): Promise<number> {
  return withStore(io, options, async (store) => {
    if ((await store.get(id)) === undefined) return noSuchJob(io, 'stop', id, store);
    const result = await store.requestStop(id);
    if (options.json) {
      io.stdout.write(`${JSON.stringify({ id, ...result })}\n`);
    } else if (result.outcome === 'stopped') {
      io.stdout.write(`job ${id} stopped (it had not started)\n`);
    } else if (result.outcome === 'requested') {
      io.stdout.write(`stop requested for job ${id} (${result.status}): its executor stops it and marks it stopped\n`);
    } else {
      io.stdout.write(`job ${id} has already ${result.status === 'finished' ? 'finished' : `ended (${result.status})`}: nothing to stop\n`);
    }
    return EXIT_OK;
  });
}

export async function jobLogs(
  io: CliIo,
  id: string,
  options: JobConnectionOptions & { tail?: number; follow?: boolean },
): Promise<number> {
  return withStore(io, options, async (store) => {
    if ((await store.get(id)) === undefined) return noSuchJob(io, 'logs', id, store);
    const print = (entry: Parameters<typeof formatLogEntry>[0]) =>
      io.stdout.write(options.json ? `${JSON.stringify(entry)}\n` : formatLogEntry(entry));
    const tail = await store.readLogs(id, { tail: options.tail ?? 100 });
    for (const entry of tail) print(entry);
    if (!options.follow) return EXIT_OK;
    // Ctrl+C ends following (and the command, with exit 0), not the process mid-write.
    const controller = new AbortController();
    const onInterrupt = () => controller.abort();
    process.once('SIGINT', onInterrupt);
    try {
      for await (const entry of store.followLogs(id, { after: tail.at(-1)?.id, signal: controller.signal })) print(entry);
    } finally {
      process.off('SIGINT', onInterrupt);
    }
    return EXIT_OK;
  });
}

/** Opens the store, runs `action`, closes. A `--redis` that is not a Redis URL is a usage error (exit 2). */
async function withStore(io: CliIo, options: JobConnectionOptions, action: (store: JobStore) => Promise<number>): Promise<number> {
  const { value, source } = options.redis !== undefined ? { value: options.redis, source: '--redis' } : resolveRedisUrl(createDoctorContext(io));
  try {
    parseRedisUrl(value, source);
  } catch (error) {
    if (!isSageError(error)) throw error;
    io.stderr.write(formatError(error));
    return source === '--redis' ? EXIT_USAGE : EXIT_FAILURE;
  }
  const store = await JobStore.connect({ redis: value, prefix: options.prefix, connectTimeoutMs: options.connectTimeoutMs });
  try {
    return await action(store);
  } finally {
    await store.close();
  }
}

function noSuchJob(io: CliIo, command: string, id: string, store: JobStore): number {
  io.stderr.write(`sage job ${command}: no job "${id}" ${where(store)} (sage job list shows the jobs there)\n`);
  return EXIT_FAILURE;
}

function where(store: JobStore): string {
  return `in Redis at ${store.url} (prefix ${store.prefix})`;
}
