import { describe, expect, it } from 'vitest';
import type { DoctorCheck, DoctorContext } from './doctor-check.js';
import { runChecks } from './run-checks.js';

const context: DoctorContext = { cwd: '/', env: {} };

function fixedCheck(name: string, status: 'ok' | 'warn' | 'fail', delayMs = 0): DoctorCheck {
  return {
    name,
    run: () => new Promise((resolve) => setTimeout(() => resolve({ status, detail: `${name} is ${status}` }), delayMs)),
  };
}

describe('runChecks', () => {
  it('keeps the given order, whatever order checks finish in', async () => {
    const report = await runChecks([fixedCheck('slow', 'ok', 30), fixedCheck('fast', 'ok')], context);
    expect(report.checks.map((entry) => entry.name)).toEqual(['slow', 'fast']);
  });

  it('runs checks concurrently', async () => {
    const started = Date.now();
    await runChecks([fixedCheck('a', 'ok', 100), fixedCheck('b', 'ok', 100), fixedCheck('c', 'ok', 100)], context);
    expect(Date.now() - started).toBeLessThan(250);
  });

  it('is ok with warnings, not ok with any failure', async () => {
    expect((await runChecks([fixedCheck('a', 'ok'), fixedCheck('b', 'warn')], context)).ok).toBe(true);
    expect((await runChecks([fixedCheck('a', 'ok'), fixedCheck('b', 'fail')], context)).ok).toBe(false);
    expect((await runChecks([], context)).ok).toBe(true);
  });

  it('turns a crashing check into a failure and still reports the others', async () => {
    const crashing: DoctorCheck = {
      name: 'crashes',
      run: async () => {
        throw new Error('unexpected');
      },
    };
    const report = await runChecks([crashing, fixedCheck('fine', 'ok')], context);
    expect(report.ok).toBe(false);
    expect(report.checks).toEqual([
      { name: 'crashes', status: 'fail', detail: 'check crashed: unexpected' },
      { name: 'fine', status: 'ok', detail: 'fine is ok' },
    ]);
  });

  it('passes the context to every check', async () => {
    const seen: DoctorContext[] = [];
    const recording: DoctorCheck = {
      name: 'records',
      run: async (given) => {
        seen.push(given);
        return { status: 'ok', detail: '' };
      },
    };
    await runChecks([recording], context);
    expect(seen).toEqual([context]);
  });
});
