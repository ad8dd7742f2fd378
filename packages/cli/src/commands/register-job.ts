import { type Command, InvalidArgumentError, Option } from 'commander';
import type { CliIo } from '../cli-io.js';
import { jobList, jobLogs, jobStatus, jobStop } from '../job/job-commands.js';

const STATUSES = ['submitted', 'running', 'finished', 'failed', 'stopped'];

export function registerJob(program: Command, io: CliIo, setExitCode: (code: number) => void): void {
  const job = program
    .command('job')
    .description('list, inspect and stop distributed jobs recorded in Redis (the job manager; experimental)');
  withConnection(job.command('list').description('list jobs, newest first'))
    .addOption(new Option('--status <status>', 'only jobs in this status').choices(STATUSES))
    .option('--limit <n>', 'at most this many jobs', parsePositive, 50)
    .action(async (options) => setExitCode(await jobList(io, options)));
  withConnection(job.command('status').description("a job's status, times, operators with their metrics, and edges"))
    .argument('<id>', 'job id (from sage job list)')
    .action(async (id: string, options) => setExitCode(await jobStatus(io, id, options)));
  withConnection(job.command('stop').description('stop a job: at once if it has not started, else through its executor'))
    .argument('<id>', 'job id (from sage job list)')
    .action(async (id: string, options) => setExitCode(await jobStop(io, id, options)));
  withConnection(job.command('logs').description("print a job's last log lines"))
    .argument('<id>', 'job id (from sage job list)')
    .option('--tail <n>', 'how many of the last lines', parsePositive, 100)
    .option('-f, --follow', 'keep printing new lines until the job ends (Ctrl+C to stop)')
    .action(async (id: string, options) => setExitCode(await jobLogs(io, id, options)));
}

/** The options every `sage job` command shares. */
function withConnection(command: Command): Command {
  return command
    .option('--redis <url>', 'Redis URL (default: REDIS_URL, then sage.config.yaml redis.url, then redis://127.0.0.1:6379)')
    .option('--prefix <prefix>', 'key prefix the jobs were recorded under', 'sage')
    .option('--json', 'print JSON for scripts');
}

function parsePositive(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer');
  return n;
}
