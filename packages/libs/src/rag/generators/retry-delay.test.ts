import { describe, expect, it } from 'vitest';
import { isRetryableStatus, parseRetryAfter, retryDelayMs } from './retry-delay.js';

const headers = (values: Record<string, string>) => new Headers(values);

describe('isRetryableStatus', () => {
  it('retries rate limits and server errors only', () => {
    expect([429, 500, 502, 503, 504, 599].filter(isRetryableStatus)).toEqual([429, 500, 502, 503, 504, 599]);
    expect([undefined, 200, 400, 401, 403, 404, 408, 409, 422, 600].filter(isRetryableStatus)).toEqual([]);
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds, an HTTP date and retry-after-ms', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(parseRetryAfter(headers({ 'retry-after': '3' }), now)).toBe(3000);
    expect(parseRetryAfter(headers({ 'retry-after': '0.5' }), now)).toBe(500);
    expect(parseRetryAfter(headers({ 'retry-after': 'Wed, 01 Jan 2025 00:00:02 GMT' }), now)).toBe(2000);
    expect(parseRetryAfter(headers({ 'retry-after': 'Tue, 31 Dec 2024 23:59:00 GMT' }), now)).toBe(0);
    expect(parseRetryAfter(headers({ 'retry-after-ms': '250', 'retry-after': '9' }), now)).toBe(250);
  });

  it('is undefined when absent or unreadable', () => {
    expect(parseRetryAfter(undefined)).toBeUndefined();
    expect(parseRetryAfter(headers({}))).toBeUndefined();
    expect(parseRetryAfter(headers({ 'retry-after': 'soon' }))).toBeUndefined();
    expect(parseRetryAfter(headers({ 'retry-after': '-1' }))).toBeUndefined();
  });
});

describe('retryDelayMs', () => {
  const policy = { baseDelayMs: 100, maxDelayMs: 1000 };

  it('doubles the wait at each retry, between half and all of it', () => {
    const low = [0, 1, 2, 3].map((retry) => retryDelayMs(retry, undefined, { ...policy, random: () => 0 }));
    const high = [0, 1, 2, 3].map((retry) => retryDelayMs(retry, undefined, { ...policy, random: () => 0.999999 }));
    expect(low).toEqual([50, 100, 200, 400]);
    expect(high).toEqual([100, 200, 400, 800]);
  });

  it('caps the wait at maxDelayMs', () => {
    expect(retryDelayMs(10, undefined, { ...policy, random: () => 0.999999 })).toBe(1000);
    expect(retryDelayMs(0, 60_000, policy)).toBe(1000);
  });

  it('waits what the server asks, without jitter', () => {
    expect(retryDelayMs(0, 700, { ...policy, random: () => 0 })).toBe(700);
    expect(retryDelayMs(3, 0, policy)).toBe(0);
  });

  it('spreads the waits of clients retrying together', () => {
    const waits = new Set(Array.from({ length: 50 }, () => retryDelayMs(2, undefined, policy)));
    expect(waits.size).toBeGreaterThan(10);
    for (const wait of waits) {
      expect(wait).toBeGreaterThanOrEqual(200);
      expect(wait).toBeLessThanOrEqual(400);
    }
  });
});
