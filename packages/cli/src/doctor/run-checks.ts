/** Runs doctor checks concurrently and collects one result per check, in the order given. */
import type { DoctorCheck, DoctorContext, DoctorReportEntry } from './doctor-check.js';

export interface DoctorReport {
  /** False when any check failed (warnings do not count). */
  ok: boolean;
  checks: DoctorReportEntry[];
}

export async function runChecks(checks: readonly DoctorCheck[], context: DoctorContext): Promise<DoctorReport> {
  const entries = await Promise.all(
    checks.map(async (check): Promise<DoctorReportEntry> => {
      try {
        return { name: check.name, ...(await check.run(context)) };
      } catch (error) {
        // A crashing check is a bug in the check, but the report must still cover every check.
        const reason = error instanceof Error ? error.message : String(error);
        return { name: check.name, status: 'fail', detail: `check crashed: ${reason}` };
      }
    }),
  );
  return { ok: entries.every((entry) => entry.status !== 'fail'), checks: entries };
}
