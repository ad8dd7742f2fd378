/** The `.env.template` a project uses: its own when it has one, else the one shipped with @sage/cli. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI_TEMPLATES_DIRECTORY } from '../package-paths.js';

export const ENV_TEMPLATE_FILE = '.env.template';
export const ENV_FILE = '.env';

/** Path of the template used for `cwd`: `cwd/.env.template`, else the shipped one. */
export function findEnvTemplate(cwd: string): string {
  const local = join(cwd, ENV_TEMPLATE_FILE);
  return existsSync(local) ? local : join(CLI_TEMPLATES_DIRECTORY, ENV_TEMPLATE_FILE);
}

/** Names of the variables a dotenv text assigns, in order (comments and blank lines skipped). */
export function listEnvVariables(text: string): string[] {
  const names: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=/.exec(line);
    if (match && !names.includes(match[1])) names.push(match[1]);
  }
  return names;
}

export function readEnvTemplateVariables(templatePath: string): string[] {
  return listEnvVariables(readFileSync(templatePath, 'utf8'));
}
