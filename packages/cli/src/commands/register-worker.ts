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
    .action(async (options) => setExitCode(await runWorker(io, options)));
}

function parsePositive(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer');
  return n;
}
