/** How quickly a dead worker's partitions and batches are taken over; see `SageWorkerOptions.recovery`. */
import { ValidationError } from '@sage/common';

export interface RecoveryTiming {
  /** A partition's lease lives this long without a heartbeat. */
  leaseMs: number;
  /** How often a worker renews its leases and looks for free partitions. */
  heartbeatMs: number;
  /** BullMQ `lockDuration`: a batch whose worker stops renewing its lock for this long is stalled. */
  lockDurationMs: number;
  /** BullMQ `stalledInterval`: how often stalled batches are put back in their queue. */
  stalledIntervalMs: number;
  /** BullMQ `maxStalledCount`: a batch that stalls more often fails the job. */
  maxStalledCount: number;
}

const DEFAULT_TIMING: RecoveryTiming = { leaseMs: 10_000, heartbeatMs: 2_500, lockDurationMs: 10_000, stalledIntervalMs: 5_000, maxStalledCount: 5 };

/**
 * The recovery timing with defaults filled in; the heartbeat defaults to a quarter of the lease. Errors name a
 * setting as `nameOf` says (the CLI names its flags), by default `worker recovery option <field>`.
 */
export function recoveryTiming(
  options: Partial<RecoveryTiming> = {},
  nameOf: (field: keyof RecoveryTiming) => string = (field) => `worker recovery option ${field}`,
): RecoveryTiming {
  const leaseMs = options.leaseMs ?? DEFAULT_TIMING.leaseMs;
  const given = Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
  const timing: RecoveryTiming = { ...DEFAULT_TIMING, heartbeatMs: Math.max(1, Math.floor(leaseMs / 4)), ...given };
  for (const [name, value] of Object.entries(timing) as Array<[keyof RecoveryTiming, number]>) {
    const least = name === 'maxStalledCount' ? 0 : 1;
    if (!Number.isInteger(value) || value < least) throw new ValidationError(`${nameOf(name)} must be an integer >= ${least}, got ${value}`);
  }
  if (timing.heartbeatMs >= timing.leaseMs) {
    throw new ValidationError(
      `${nameOf('heartbeatMs')} (${timing.heartbeatMs}) must be shorter than the lease (${nameOf('leaseMs')}, ${timing.leaseMs}), or leases lapse between heartbeats`,
    );
  }
  return timing;
}
