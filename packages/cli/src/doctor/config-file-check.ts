/** `sage.config.yaml` in the working directory, when there is one, loads and validates. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadSageConfig, SAGE_CONFIG_FILE } from '@sage/common';
import type { DoctorCheck } from './doctor-check.js';

export function createConfigFileCheck(): DoctorCheck {
  return {
    name: 'config',
    async run({ cwd, env }) {
      const file = join(cwd, SAGE_CONFIG_FILE);
      if (!existsSync(file)) return { status: 'ok', detail: `no ${SAGE_CONFIG_FILE} here; defaults apply` };
      try {
        loadSageConfig(undefined, { cwd, env: { ...env } });
      } catch (error) {
        // ConfigError messages mask secret values; one line per problem, joined to keep one line per check.
        const message = (error instanceof Error ? error.message : String(error)).split('\n').join('; ');
        return { status: 'fail', detail: message, fix: `fix ${SAGE_CONFIG_FILE} (sage config show prints the problems)` };
      }
      return { status: 'ok', detail: `${SAGE_CONFIG_FILE} is valid` };
    },
  };
}
