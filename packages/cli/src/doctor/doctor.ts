/** `sage doctor`: run every check, print the report, exit 1 when any check failed. */
import { join } from 'node:path';
import { loadEnvFile } from '@sage/common';
import type { CliIo } from '../cli-io.js';
import { EXIT_FAILURE, EXIT_OK } from '../exit-codes.js';
import { createDefaultChecks } from './default-checks.js';
import type { DoctorCheck, DoctorContext } from './doctor-check.js';
import { formatReportJson, formatReportText } from './format-report.js';
import { runChecks } from './run-checks.js';

export interface DoctorOptions {
  json?: boolean;
  /** The default checks unless given (tests). */
  checks?: readonly DoctorCheck[];
}

export async function doctor(io: CliIo, options: DoctorOptions = {}): Promise<number> {
  const report = await runChecks(options.checks ?? createDefaultChecks(), createDoctorContext(io));
  io.stdout.write(options.json ? formatReportJson(report) : formatReportText(report));
  return report.ok ? EXIT_OK : EXIT_FAILURE;
}

/** The environment as a project run would see it: `cwd/.env` fills variables the environment leaves unset. */
export function createDoctorContext(io: CliIo): DoctorContext {
  const env = { ...io.env };
  try {
    loadEnvFile(join(io.cwd, '.env'), env);
  } catch {
    // An unreadable .env is not the doctor's business beyond not using it.
  }
  return { cwd: io.cwd, env };
}
