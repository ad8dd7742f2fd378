import { ValidationError } from '@sage/common';

/**
 * Decides, for one operator instance, whether a failure of its function restarts the instance (after the
 * returned delay) or fails the job (`undefined`). One is made per instance, so each instance counts its own
 * failures; `now` is the runtime clock's time of the failure, in ms.
 */
export interface RestartBackoff {
  onFailure(now: number): number | undefined;
}

export interface FixedDelayOptions {
  /** Restarts before the job fails. */
  attempts: number;
  /** Pause before each restart, in ms. */
  delayMs: number;
}

export interface ExponentialBackoffOptions {
  /** Pause before the first restart, in ms. */
  initialDelayMs: number;
  /** Each pause is the previous one times this (at least 1). */
  multiplier: number;
  /** The longest pause, in ms. */
  maxDelayMs: number;
  /** Restarts before the job fails. */
  attempts: number;
}

export interface FailureRateOptions {
  /** Failures allowed within any `intervalMs`; one more fails the job. */
  maxFailures: number;
  /** The sliding window the failures are counted in, in ms. */
  intervalMs: number;
  /** Pause before each restart, in ms. */
  delayMs: number;
}

/**
 * What happens when an operator's function fails under `onError: 'fail'` (Flink's restart strategies): restart
 * the operator instance, with a fresh function instance, opened again, and its keyed state kept, and go on with
 * the failed record; or fail the job. Set for a job with `env.setRestartStrategy(...)`, for one operator with
 * its `restart` option. The default, `RestartStrategy.none()`, fails the job at the first failure.
 */
export class RestartStrategy {
  private constructor(
    /** For messages and docs: `none`, `fixedDelay`, `exponentialBackoff` or `failureRate`. */
    readonly kind: 'none' | 'fixedDelay' | 'exponentialBackoff' | 'failureRate',
    private readonly backoff: () => RestartBackoff,
  ) {}

  /** A strategy that allows `attempts` restarts, restart `n` (from 0) after `delayOf(n)` ms. */
  private static limited(kind: 'fixedDelay' | 'exponentialBackoff', attempts: number, delayOf: (restart: number) => number): RestartStrategy {
    return new RestartStrategy(kind, () => {
      let restarts = 0;
      return { onFailure: () => (restarts >= attempts ? undefined : delayOf(restarts++)) };
    });
  }

  /** Never restart: the first failure fails the job. */
  static none(): RestartStrategy {
    return new RestartStrategy('none', () => ({ onFailure: () => undefined }));
  }

  /** Restart up to `attempts` times, each after `delayMs`. */
  static fixedDelay(options: FixedDelayOptions): RestartStrategy {
    const where = 'RestartStrategy.fixedDelay';
    checkObject(where, options);
    const attempts = count(where, 'attempts', options.attempts);
    const delayMs = duration(where, 'delayMs', options.delayMs);
    return RestartStrategy.limited('fixedDelay', attempts, () => delayMs);
  }

  /** Restart up to `attempts` times, after `initialDelayMs`, then each pause `multiplier` times longer, at most `maxDelayMs`. */
  static exponentialBackoff(options: ExponentialBackoffOptions): RestartStrategy {
    const where = 'RestartStrategy.exponentialBackoff';
    checkObject(where, options);
    const initialDelayMs = duration(where, 'initialDelayMs', options.initialDelayMs);
    const maxDelayMs = duration(where, 'maxDelayMs', options.maxDelayMs);
    const attempts = count(where, 'attempts', options.attempts);
    const { multiplier } = options;
    if (typeof multiplier !== 'number' || !Number.isFinite(multiplier) || multiplier < 1) {
      throw new ValidationError(`${where}: "multiplier" must be a number >= 1, got ${String(multiplier)}`);
    }
    if (maxDelayMs < initialDelayMs) {
      throw new ValidationError(`${where}: "maxDelayMs" (${maxDelayMs}) must be at least "initialDelayMs" (${initialDelayMs})`);
    }
    return RestartStrategy.limited('exponentialBackoff', attempts, (restart) => Math.min(initialDelayMs * multiplier ** restart, maxDelayMs));
  }

  /** Restart after `delayMs` as long as no more than `maxFailures` failures fall within the last `intervalMs`. */
  static failureRate(options: FailureRateOptions): RestartStrategy {
    const where = 'RestartStrategy.failureRate';
    checkObject(where, options);
    const maxFailures = count(where, 'maxFailures', options.maxFailures);
    const intervalMs = duration(where, 'intervalMs', options.intervalMs);
    const delayMs = duration(where, 'delayMs', options.delayMs);
    if (intervalMs === 0) throw new ValidationError(`${where}: "intervalMs" must be a positive number of ms, got 0`);
    return new RestartStrategy('failureRate', () => {
      const failures: number[] = [];
      return {
        onFailure: (now) => {
          failures.push(now);
          // The window is (now - intervalMs, now]: a failure exactly intervalMs ago no longer counts.
          while (failures[0]! <= now - intervalMs) failures.shift();
          return failures.length > maxFailures ? undefined : delayMs;
        },
      };
    });
  }

  /** A fresh count of failures, for one operator instance. */
  newBackoff(): RestartBackoff {
    return this.backoff();
  }
}

/** Checks a `restart` option or `setRestartStrategy` argument. */
export function checkRestartStrategy(where: string, value: unknown): RestartStrategy {
  if (!(value instanceof RestartStrategy)) {
    throw new ValidationError(
      `${where}: expected a RestartStrategy (RestartStrategy.fixedDelay, exponentialBackoff, failureRate or none), got ${describe(value)}`,
    );
  }
  return value;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return (value as object).constructor?.name ?? 'object';
  return typeof value;
}

function checkObject(where: string, options: unknown): void {
  if (options === null || typeof options !== 'object') throw new ValidationError(`${where}: expected an options object, got ${describe(options)}`);
}

function count(where: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new ValidationError(`${where}: "${name}" must be an integer >= 0, got ${String(value)}`);
  }
  return value;
}

function duration(where: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new ValidationError(`${where}: "${name}" must be a number of ms >= 0, got ${String(value)}`);
  }
  return value;
}
