import { describe, expect, it } from 'vitest';
import { formatReportJson, formatReportText } from './format-report.js';
import type { DoctorReport } from './run-checks.js';

const report: DoctorReport = {
  ok: false,
  checks: [
    { name: 'node', status: 'ok', detail: 'v20.12.0', fix: 'not shown for ok' },
    { name: 'redis', status: 'warn', detail: 'unreachable', fix: 'start redis' },
    { name: 'sage_db', status: 'warn', detail: 'not built' },
    { name: 'config', status: 'fail', detail: 'bad key', fix: 'edit it' },
  ],
};

describe('formatReportText', () => {
  it('prints one aligned line per check, with the fix for warn and fail', () => {
    expect(formatReportText(report)).toBe(
      [
        'ok    node     v20.12.0',
        'warn  redis    unreachable  fix: start redis',
        'warn  sage_db  not built',
        'fail  config   bad key  fix: edit it',
        '',
      ].join('\n'),
    );
  });
});

describe('formatReportJson', () => {
  it('prints the report as JSON', () => {
    expect(JSON.parse(formatReportJson(report))).toEqual(report);
  });
});
