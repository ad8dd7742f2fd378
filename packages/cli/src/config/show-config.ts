/** `sage config show`: the resolved project config as YAML (defaults applied, `.env` read, secrets masked). */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadSageConfig, redactSecrets, SAGE_CONFIG_FILE } from '@sage/common';
import type { CliIo } from '../cli-io.js';
import { EXIT_FAILURE, EXIT_OK } from '../exit-codes.js';
import { formatError } from '../format-error.js';
import { stringify } from 'yaml';

export interface ShowConfigOptions {
  /** Config file to read instead of `sage.config.yaml` in the working directory; it must exist. */
  file?: string;
}

export function showConfig(io: CliIo, options: ShowConfigOptions = {}): number {
  let config: Record<string, unknown>;
  try {
    // A copy of the environment: `.env` fills it for `${VAR}` expansion without changing the caller's env.
    config = loadSageConfig(options.file, { cwd: io.cwd, env: { ...io.env }, dotenv: true });
  } catch (error) {
    io.stderr.write(formatError(error));
    return EXIT_FAILURE;
  }
  io.stdout.write(`# ${describeSource(io.cwd, options.file)}; defaults applied, secrets masked\n`);
  io.stdout.write(stringify(redactSecrets(config)));
  return EXIT_OK;
}

function describeSource(cwd: string, file: string | undefined): string {
  if (file !== undefined) return resolve(cwd, file);
  const defaultFile = join(cwd, SAGE_CONFIG_FILE);
  return existsSync(defaultFile) ? defaultFile : `no ${SAGE_CONFIG_FILE} in ${cwd}`;
}
