/** `sage config init`: write the commented `sage.config.yaml` template into the working directory. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SAGE_CONFIG_FILE } from '@sage/common';
import type { CliIo } from '../cli-io.js';
import { EXIT_FAILURE, EXIT_OK } from '../exit-codes.js';
import { CLI_TEMPLATES_DIRECTORY } from '../package-paths.js';

/** The shipped template; it loads with loadSageConfig and gives the defaults. */
export const SAGE_CONFIG_TEMPLATE_PATH = join(CLI_TEMPLATES_DIRECTORY, SAGE_CONFIG_FILE);

export interface InitConfigOptions {
  force?: boolean;
}

export function initConfig(io: CliIo, options: InitConfigOptions = {}): number {
  const target = join(io.cwd, SAGE_CONFIG_FILE);
  if (existsSync(target) && !options.force) {
    io.stderr.write(`${SAGE_CONFIG_FILE} already exists in ${io.cwd}; not overwriting it (use --force to replace it)\n`);
    return EXIT_FAILURE;
  }
  // `wx` also refuses a file created since the check above.
  writeFileSync(target, readFileSync(SAGE_CONFIG_TEMPLATE_PATH, 'utf8'), { flag: options.force ? 'w' : 'wx' });
  io.stdout.write(`created ${target}\n`);
  return EXIT_OK;
}
