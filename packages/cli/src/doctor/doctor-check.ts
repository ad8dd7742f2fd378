/** The contract every `sage doctor` check follows. */

export type CheckStatus = 'ok' | 'warn' | 'fail';

export interface CheckResult {
  status: CheckStatus;
  /** One line, safe to print: never a secret. */
  detail: string;
  /** The command (or step) that fixes a `warn` or `fail`, when there is one. */
  fix?: string;
}

/** What checks may look at; built once per `sage doctor` run. */
export interface DoctorContext {
  cwd: string;
  /** The environment with `cwd/.env` filled in (a copy; the process env is not changed). */
  env: Readonly<Record<string, string | undefined>>;
}

export interface DoctorCheck {
  /** Short, stable name shown in the report (`node`, `redis`…). */
  name: string;
  /** Should not throw; the runner turns a throw into a `fail` anyway. */
  run(context: DoctorContext): Promise<CheckResult>;
}

/** A finished check, as reported. */
export interface DoctorReportEntry extends CheckResult {
  name: string;
}
