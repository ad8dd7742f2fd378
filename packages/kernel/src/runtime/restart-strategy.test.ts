import { ValidationError } from '@sage/common';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../testing/virtual-clock.js';
import { checkRestartStrategy, type RestartBackoff, RestartStrategy } from './restart-strategy.js';

/** The delays a backoff answers for failures at the given times of a virtual clock. */
function delays(backoff: RestartBackoff, clock: VirtualClock, gaps: number[]): Array<number | undefined> {
  return gaps.map((gap) => {
    clock.advance(gap);
    return backoff.onFailure(clock.now());
  });
}

describe('RestartStrategy', () => {
  it('none fails at the first failure', () => {
    expect(RestartStrategy.none().newBackoff().onFailure(0)).toBeUndefined();
  });

  it('fixedDelay restarts `attempts` times after the same delay, then fails', () => {
    const backoff = RestartStrategy.fixedDelay({ attempts: 3, delayMs: 250 }).newBackoff();
    expect(delays(backoff, new VirtualClock(), [0, 10, 10, 10, 10])).toEqual([250, 250, 250, undefined, undefined]);
    expect(RestartStrategy.fixedDelay({ attempts: 0, delayMs: 0 }).newBackoff().onFailure(0)).toBeUndefined();
  });

  it('exponentialBackoff multiplies the delay up to its cap, `attempts` times', () => {
    const backoff = RestartStrategy.exponentialBackoff({ initialDelayMs: 100, multiplier: 2, maxDelayMs: 500, attempts: 6 }).newBackoff();
    expect(delays(backoff, new VirtualClock(), [0, 0, 0, 0, 0, 0, 0])).toEqual([100, 200, 400, 500, 500, 500, undefined]);
    const constant = RestartStrategy.exponentialBackoff({ initialDelayMs: 30, multiplier: 1, maxDelayMs: 30, attempts: 2 }).newBackoff();
    expect(delays(constant, new VirtualClock(), [0, 0, 0])).toEqual([30, 30, undefined]);
  });

  it('failureRate restarts while at most maxFailures fall in the sliding interval', () => {
    const clock = new VirtualClock();
    const backoff = RestartStrategy.failureRate({ maxFailures: 2, intervalMs: 1_000, delayMs: 50 }).newBackoff();
    // Failures at 0, 600, then 1000 (the one at 0 has left the window (0, 1000]), then 1400 (600, 1000, 1400: three).
    expect(delays(backoff, clock, [0, 600, 400])).toEqual([50, 50, 50]);
    expect(delays(backoff, clock, [400])).toEqual([undefined]);
    // Sparse failures never exhaust it.
    const sparse = RestartStrategy.failureRate({ maxFailures: 1, intervalMs: 100, delayMs: 0 }).newBackoff();
    expect(delays(sparse, new VirtualClock(), [0, 100, 100, 100, 100])).toEqual([0, 0, 0, 0, 0]);
  });

  it('gives each instance its own count', () => {
    const strategy = RestartStrategy.fixedDelay({ attempts: 1, delayMs: 5 });
    const first = strategy.newBackoff();
    expect(first.onFailure(0)).toBe(5);
    expect(first.onFailure(0)).toBeUndefined();
    expect(strategy.newBackoff().onFailure(0)).toBe(5);
  });

  it.each([
    [() => RestartStrategy.fixedDelay({ attempts: -1, delayMs: 0 }), 'RestartStrategy.fixedDelay: "attempts" must be an integer >= 0, got -1'],
    [() => RestartStrategy.fixedDelay({ attempts: 1.5, delayMs: 0 }), '"attempts" must be an integer >= 0, got 1.5'],
    [() => RestartStrategy.fixedDelay({ attempts: 1, delayMs: Number.NaN }), 'RestartStrategy.fixedDelay: "delayMs" must be a number of ms >= 0, got NaN'],
    [() => RestartStrategy.fixedDelay(undefined as never), 'RestartStrategy.fixedDelay: expected an options object, got undefined'],
    [
      () => RestartStrategy.exponentialBackoff({ initialDelayMs: 10, multiplier: 0.5, maxDelayMs: 100, attempts: 3 }),
      'RestartStrategy.exponentialBackoff: "multiplier" must be a number >= 1, got 0.5',
    ],
    [
      () => RestartStrategy.exponentialBackoff({ initialDelayMs: 100, multiplier: 2, maxDelayMs: 10, attempts: 3 }),
      '"maxDelayMs" (10) must be at least "initialDelayMs" (100)',
    ],
    [() => RestartStrategy.failureRate({ maxFailures: 3, intervalMs: 0, delayMs: 0 }), 'RestartStrategy.failureRate: "intervalMs" must be a positive number of ms, got 0'],
    [() => RestartStrategy.failureRate({ maxFailures: 3, intervalMs: 10, delayMs: -1 }), '"delayMs" must be a number of ms >= 0, got -1'],
    [() => checkRestartStrategy('setRestartStrategy', { attempts: 3 }), 'setRestartStrategy: expected a RestartStrategy (RestartStrategy.fixedDelay, exponentialBackoff, failureRate or none), got Object'],
  ])('refuses bad parameters with a ValidationError (%#)', (make, message) => {
    expect(make).toThrow(ValidationError);
    expect(make).toThrow(message);
  });
});
