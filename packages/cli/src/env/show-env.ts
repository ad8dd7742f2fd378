/**
 * `sage config env show`: each variable of the template with where its value comes from and the value, masked.
 * Values under secret names (isSecretKey) are only ever shown through maskSecret; passwords inside URLs are masked
 * in any variable.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadEnvFile, redactSecrets } from '@sage/common';
import type { CliIo } from '../cli-io.js';
import { EXIT_OK } from '../exit-codes.js';
import { ENV_FILE, findEnvTemplate, readEnvTemplateVariables } from './env-template.js';

export type EnvVariableSource = 'environment' | '.env' | 'unset';

export interface EnvVariableStatus {
  name: string;
  source: EnvVariableSource;
  /** The value safe to print (masked when secret); undefined when unset. */
  shownValue: string | undefined;
}

const SOURCE_LABELS: Record<EnvVariableSource, string> = {
  environment: 'set in environment',
  '.env': 'set in .env',
  unset: 'unset',
};

/** The environment wins over `.env`, as when `.env` is loaded (it never overrides a set variable). */
export function describeEnvVariables(
  names: readonly string[],
  environment: Readonly<Record<string, string | undefined>>,
  dotenv: Readonly<Record<string, string>>,
): EnvVariableStatus[] {
  return names.map((name) => {
    const fromEnvironment = environment[name];
    const source: EnvVariableSource =
      fromEnvironment !== undefined ? 'environment' : Object.hasOwn(dotenv, name) ? '.env' : 'unset';
    const value = source === 'environment' ? fromEnvironment : source === '.env' ? dotenv[name] : undefined;
    return { name, source, shownValue: value === undefined ? undefined : showValue(name, value) };
  });
}

export function showEnv(io: CliIo): number {
  const template = findEnvTemplate(io.cwd);
  const envPath = join(io.cwd, ENV_FILE);
  // Read into an empty object: every variable in the file, without touching the real environment.
  const dotenv = existsSync(envPath) ? loadEnvFile(envPath, {}) : {};
  const statuses = describeEnvVariables(readEnvTemplateVariables(template), io.env, dotenv);
  const nameWidth = Math.max(...statuses.map((status) => status.name.length));
  const sourceWidth = Math.max(...Object.values(SOURCE_LABELS).map((label) => label.length));
  for (const status of statuses) {
    const columns = [status.name.padEnd(nameWidth), SOURCE_LABELS[status.source].padEnd(sourceWidth)];
    if (status.shownValue !== undefined) columns.push(status.shownValue);
    io.stdout.write(`${columns.join('  ').trimEnd()}\n`);
  }
  if (!existsSync(envPath)) io.stderr.write(`no ${ENV_FILE} in ${io.cwd} (create one with: sage config env setup)\n`);
  return EXIT_OK;
}

function showValue(name: string, value: string): string {
  if (value === '') return '(empty)';
  return String(redactSecrets({ [name]: value })[name]);
}
