import { type Command, Option } from 'commander';
import type { CliIo } from '../cli-io.js';
import { LOG_LEVELS, type RunOptions, runCommand } from '../run/run-command.js';

export function registerRun(program: Command, io: CliIo, setExitCode: (code: number) => void): void {
  program
    .command('run')
    .description('run a pipeline file (.ts through tsx, .js/.mjs as is); arguments after -- are passed to it')
    .argument('<file>', 'pipeline file that builds an environment and awaits env.submit(...)')
    .argument('[args...]', 'arguments for the file, seen as process.argv.slice(2)')
    .addOption(new Option('--log-level <level>', 'sets SAGE_LOG_LEVEL for the run').choices(LOG_LEVELS))
    .option('--no-env-file', 'do not load .env from the working directory')
    .option('--remote', 'run the job on sage worker processes (also a file that builds a LocalEnvironment)')
    .option('--redis <url>', 'with --remote: Redis of the workers (default: REDIS_URL, then sage.config.yaml redis.url, then redis://127.0.0.1:6379)')
    .option('--prefix <prefix>', 'with --remote: key prefix of the workers\' jobs (default: sage)')
    .addOption(
      new Option('--code <how>', 'with --remote: how the file reaches the workers: by path, or bundled and signed with SAGE_CLUSTER_SECRET').choices(['path', 'bundle']),
    )
    .action(async (file: string, args: string[], options: RunOptions & { envFile: boolean }) => {
      setExitCode(await runCommand(io, file, args, options));
    });
}
