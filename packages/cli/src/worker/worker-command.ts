/**
 * `sage worker`: a long-running process that runs the operators of remote jobs (RemoteEnvironment) from their
 * BullMQ queues. The Redis URL is `--redis`, else REDIS_URL (environment, then `.env`), else `redis.url` of
 * sage.config.yaml, else redis://127.0.0.1:6379. SIGINT or SIGTERM stop it gracefully.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { isSageError, ValidationError } from '@sage/common';
import { CLUSTER_SECRET_VARIABLE, checkClusterSecret, parseRedisUrl, type RecoveryTiming, recoveryTiming, SageWorker } from '@sage/kernel';
import type { CliIo } from '../cli-io.js';
import { createDoctorContext } from '../doctor/doctor.js';
import { resolveRedisUrl } from '../doctor/redis-check.js';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from '../exit-codes.js';
import { formatError } from '../format-error.js';

export interface WorkerCommandOptions {
  redis?: string;
  prefix?: string;
  concurrency?: number;
  /** Only pipeline modules inside this directory run here; default the working directory. */
  codeDir?: string;
  /** A file holding the cluster secret that signed bundles must carry; default SAGE_CLUSTER_SECRET. */
  clusterSecretFile?: string;
  /** Recovery flags as given (`--lease-ms` …); checked here, so that errors name the flag. */
  leaseMs?: string;
  heartbeatMs?: string;
  lockDurationMs?: string;
  stalledIntervalMs?: string;
  maxStalledCount?: string;
  /** `--no-rebalance` sets false: this worker never gives partitions to workers that join a job. */
  rebalance?: boolean;
  /** Resolves when the worker should stop; default the first SIGINT or SIGTERM. */
  until?: Promise<void>;
}

export async function runWorker(io: CliIo, options: WorkerCommandOptions): Promise<number> {
  const { value, source } = options.redis !== undefined ? { value: options.redis, source: '--redis' } : resolveRedisUrl(createDoctorContext(io));
  let shown: string;
  try {
    shown = parseRedisUrl(value, source).display;
  } catch (error) {
    if (!isSageError(error)) throw error;
    io.stderr.write(formatError(error));
    return source === '--redis' ? EXIT_USAGE : EXIT_FAILURE;
  }
  let recovery: RecoveryTiming;
  let clusterSecret: string | undefined;
  try {
    recovery = recoveryFromFlags(options);
    clusterSecret = readClusterSecret(io, options.clusterSecretFile);
  } catch (error) {
    if (!isSageError(error)) throw error;
    io.stderr.write(formatError(error));
    return EXIT_USAGE;
  }
  const codeDir = resolve(io.cwd, options.codeDir ?? '.');
  // Listening before connecting: a Ctrl+C during start-up still closes what was opened.
  const stop = options.until ?? interrupted();
  let worker: SageWorker;
  try {
    worker = await SageWorker.start({ redis: value, prefix: options.prefix, concurrency: options.concurrency, codeDir, recovery, clusterSecret, rebalance: options.rebalance });
  } catch (error) {
    if (!isSageError(error)) throw error;
    io.stderr.write(formatError(error));
    return EXIT_FAILURE;
  }
  io.stdout.write(
    `sage worker ${worker.id}: serving jobs in Redis at ${shown} (prefix ${options.prefix ?? 'sage'}), code dir ${codeDir}, concurrency ${options.concurrency ?? 8}, lease ${recovery.leaseMs} ms, ${options.rebalance === false ? 'keeps its partitions when workers join' : 'shares partitions with workers that join'}, ${clusterSecret === undefined ? 'no signed bundles' : 'signed bundles accepted'} (Ctrl+C to stop)\n`,
  );
  await stop;
  io.stdout.write('stopping: batches in progress finish, then the worker lets go of its jobs\n');
  await worker.close();
  return EXIT_OK;
}

/** The secret from --cluster-secret-file, else SAGE_CLUSTER_SECRET (environment or .env), checked; never printed. */
function readClusterSecret(io: CliIo, file: string | undefined): string | undefined {
  if (file !== undefined) {
    const path = resolve(io.cwd, file);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      throw new ValidationError(`--cluster-secret-file "${path}" cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
    return checkClusterSecret(text, `--cluster-secret-file "${path}"`);
  }
  const fromEnvironment = createDoctorContext(io).env[CLUSTER_SECRET_VARIABLE];
  return fromEnvironment ? checkClusterSecret(fromEnvironment, CLUSTER_SECRET_VARIABLE) : undefined;
}

const RECOVERY_FLAGS: Record<keyof RecoveryTiming, string> = {
  leaseMs: '--lease-ms',
  heartbeatMs: '--heartbeat-ms',
  lockDurationMs: '--lock-duration-ms',
  stalledIntervalMs: '--stalled-interval-ms',
  maxStalledCount: '--max-stalled-count',
};

/** The recovery timing from the flags given, with the kernel's defaults; errors name the flag. */
export function recoveryFromFlags(options: Partial<Record<keyof RecoveryTiming, string>>): RecoveryTiming {
  const given: Partial<RecoveryTiming> = {};
  for (const [field, flag] of Object.entries(RECOVERY_FLAGS) as Array<[keyof RecoveryTiming, string]>) {
    const text = options[field];
    if (text === undefined) continue;
    if (!/^\d+$/.test(text.trim())) throw new ValidationError(`${flag} must be a whole number, got "${text}"`);
    given[field] = Number(text);
  }
  return recoveryTiming(given, (field) => RECOVERY_FLAGS[field]);
}

function interrupted(): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve();
    };
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
}
