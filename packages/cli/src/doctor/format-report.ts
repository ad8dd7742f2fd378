/** Text and JSON renderings of a doctor report. */
import type { DoctorReport } from './run-checks.js';

/** One line per check: `ok|warn|fail  <name>  <detail>`, then `  fix: <command>` for warn/fail with a fix. */
export function formatReportText(report: DoctorReport): string {
  const nameWidth = Math.max(0, ...report.checks.map((entry) => entry.name.length));
  return report.checks
    .map((entry) => {
      const line = `${entry.status.padEnd(4)}  ${entry.name.padEnd(nameWidth)}  ${entry.detail}`;
      return entry.status !== 'ok' && entry.fix ? `${line}  fix: ${entry.fix}\n` : `${line}\n`;
    })
    .join('');
}

export function formatReportJson(report: DoctorReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
