import { ValidationError } from '@sage/common';
import { describe, expect, it } from 'vitest';
import { recoveryTiming } from './recovery-timing.js';

describe('recoveryTiming', () => {
  it('fills in defaults; the heartbeat is a quarter of the lease unless given', () => {
    expect(recoveryTiming()).toEqual({ leaseMs: 10_000, heartbeatMs: 2_500, lockDurationMs: 10_000, stalledIntervalMs: 5_000, maxStalledCount: 5 });
    expect(recoveryTiming({ leaseMs: 2_000, heartbeatMs: undefined })).toMatchObject({ leaseMs: 2_000, heartbeatMs: 500 });
    expect(recoveryTiming({ leaseMs: 2_000, heartbeatMs: 100, maxStalledCount: 0 })).toMatchObject({ heartbeatMs: 100, maxStalledCount: 0 });
  });

  it('refuses values that are not positive integers, naming them', () => {
    expect(() => recoveryTiming({ lockDurationMs: 0 })).toThrow(/lockDurationMs must be an integer >= 1, got 0/);
    expect(() => recoveryTiming({ stalledIntervalMs: 1.5 })).toThrow(/stalledIntervalMs/);
    expect(() => recoveryTiming({ maxStalledCount: -1 })).toThrow(/maxStalledCount must be an integer >= 0/);
  });

  it('refuses a heartbeat that is not shorter than the lease', () => {
    expect(() => recoveryTiming({ leaseMs: 1_000, heartbeatMs: 1_000 })).toThrow(/heartbeatMs \(1000\) must be shorter than the lease \(worker recovery option leaseMs, 1000\)/);
  });
});

describe('recoveryTiming naming', () => {
  it('names the settings as the caller says (the CLI names its flags) in a ValidationError', () => {
    const flag = (field: string) => `--${field.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`;
    expect(() => recoveryTiming({ leaseMs: 0 }, flag)).toThrow(new ValidationError('--lease-ms must be an integer >= 1, got 0'));
    expect(() => recoveryTiming({ heartbeatMs: 20_000 }, flag)).toThrow(/^--heartbeat-ms \(20000\) must be shorter than the lease \(--lease-ms, 10000\)/);
  });
});
