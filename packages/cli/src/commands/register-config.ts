import type { Command } from 'commander';
import type { CliIo } from '../cli-io.js';
import { initConfig } from '../config/init-config.js';
import { showConfig } from '../config/show-config.js';
import { setupEnv } from '../env/setup-env.js';
import { showEnv } from '../env/show-env.js';

export function registerConfig(program: Command, io: CliIo, setExitCode: (code: number) => void): void {
  const config = program.command('config').description('show or create the project config and .env');
  config
    .command('show')
    .description('print the resolved config (sage.config.yaml, defaults applied) as YAML, secrets masked')
    .option('--file <file>', 'config file to read instead of sage.config.yaml in the working directory')
    .action((options: { file?: string }) => setExitCode(showConfig(io, options)));
  config
    .command('init')
    .description('write a commented sage.config.yaml template into the working directory')
    .option('--force', 'overwrite an existing sage.config.yaml')
    .action((options: { force?: boolean }) => setExitCode(initConfig(io, options)));

  const env = config.command('env').description('create or inspect .env');
  env
    .command('setup')
    .description('create .env from .env.template (the project one, else the one shipped with sage)')
    .option('--force', 'overwrite an existing .env')
    .action((options: { force?: boolean }) => setExitCode(setupEnv(io, options)));
  env
    .command('show')
    .description('list the template variables: set in environment, set in .env, or unset (secrets masked)')
    .action(() => setExitCode(showEnv(io)));
}
