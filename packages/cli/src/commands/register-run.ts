import { type Command, Option } from 'commander';
import type { LogLevel } from '@sage/common';
import type { CliIo } from '../cli-io.js';
import { LOG_LEVELS, runCommand } from '../run/run-command.js';

export function registerRun(program: Command, io: CliIo, setExitCode: (code: number) => void): void {
  program
    .command('run')
    .description('run a pipeline file (.ts through tsx, .js/.mjs as is); arguments after -- are passed to it')
    .argument('<file>', 'pipeline file that builds an environment and awaits env.submit(...)')
    .argument('[args...]', 'arguments for the file, seen as process.argv.slice(2)')
    .addOption(new Option('--log-level <level>', 'sets SAGE_LOG_LEVEL for the run').choices(LOG_LEVELS))
    .option('--no-env-file', 'do not load .env from the working directory')
    .action(async (file: string, args: string[], options: { logLevel?: LogLevel; envFile: boolean }) => {
      setExitCode(await runCommand(io, file, args, options));
    });
}
