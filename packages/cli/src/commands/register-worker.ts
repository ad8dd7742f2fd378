import { type Command, InvalidArgumentError } from 'commander';
import type { CliIo } from '../cli-io.js';
import { runWorker } from '../worker/worker-command.js';

export function registerWorker(program: Command, io: CliIo, setExitCode: (code: number) => void): void {
  program
    .command('worker')
    .description('run the operators of remote jobs (RemoteEnvironment) from their queues in Redis until stopped (experimental)')
    .option('--redis <url>', 'Redis URL (default: REDIS_URL, then sage.config.yaml redis.url, then redis://127.0.0.1:6379)')
    .option('--prefix <prefix>', 'key prefix of the jobs to serve', 'sage')
    .option('--concurrency <n>', 'batches this worker handles at once', parsePositive, 8)
    .option('--code-dir <dir>', 'only run pipeline modules inside this directory (default: the working directory)')
    .option('--cluster-secret-file <file>', 'also run jobs whose code comes as a bundle signed with the secret in this file (default: SAGE_CLUSTER_SECRET)')
    .option('--lease-ms <ms>', "a dead worker's partitions are free after this long (default 10000)")
    .option('--heartbeat-ms <ms>', 'how often leases are renewed (default a quarter of --lease-ms)')
    .option('--lock-duration-ms <ms>', 'a batch whose worker stopped renewing its lock this long is stalled (default 10000)')
    .option('--stalled-interval-ms <ms>', 'how often stalled batches go back to their queue (default 5000)')
    .option('--max-stalled-count <n>', 'a batch stalled more often fails the job (default 5)')
    .option('--no-rebalance', 'never give partitions to workers that join a running job (for jobs whose functions keep state only in memory, outside ctx.state)')
    .action(async (options) => setExitCode(await runWorker(io, options)));
}

function parsePositive(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer');
  return n;
}
