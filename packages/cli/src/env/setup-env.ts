/** `sage config env setup`: create `.env` from the template, never overwriting one without `force`. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { CliIo } from '../cli-io.js';
import { EXIT_FAILURE, EXIT_OK } from '../exit-codes.js';
import { ENV_FILE, findEnvTemplate } from './env-template.js';

export interface SetupEnvOptions {
  force?: boolean;
}

export function setupEnv(io: CliIo, options: SetupEnvOptions = {}): number {
  const target = join(io.cwd, ENV_FILE);
  if (existsSync(target) && !options.force) {
    io.stderr.write(`${ENV_FILE} already exists in ${io.cwd}; not overwriting it (use --force to replace it)\n`);
    return EXIT_FAILURE;
  }
  const template = findEnvTemplate(io.cwd);
  // Owner-only: .env holds secrets. `wx` also refuses a file created since the check above.
  writeFileSync(target, readFileSync(template, 'utf8'), { mode: 0o600, flag: options.force ? 'w' : 'wx' });
  io.stdout.write(`created ${target} from ${displayPath(io.cwd, template)}; fill in the values you use\n`);
  return EXIT_OK;
}

function displayPath(cwd: string, path: string): string {
  const shown = relative(cwd, path);
  return shown.startsWith('..') ? path : shown;
}
