/**
 * The retry policy of remote generators: only rate limits (429) and server errors (5xx) are retried; a
 * client error (400, 401, 404…) will not get better by asking again. The wait is what the server asks for
 * (`Retry-After`) or else an exponential backoff with jitter, so that many clients rejected together do not
 * come back together.
 */

/** Whether a failed request with this HTTP status is worth retrying. */
export function isRetryableStatus(status: number | undefined): boolean {
  return status === 429 || (status !== undefined && status >= 500 && status <= 599);
}

/** The response headers the policy reads (a `Headers` object fits). */
export interface RetryHeaders {
  get(name: string): string | null;
}

/**
 * Milliseconds the server asks to wait before retrying: `retry-after-ms` (sent by OpenAI), else
 * `Retry-After` as seconds or as an HTTP date (relative to `nowEpochMs`). Undefined when absent or unreadable.
 */
export function parseRetryAfter(headers: RetryHeaders | undefined, nowEpochMs: number = Date.now()): number | undefined {
  const milliseconds = Number.parseFloat(headers?.get('retry-after-ms') ?? '');
  if (Number.isFinite(milliseconds) && milliseconds >= 0) return milliseconds;
  const value = headers?.get('retry-after')?.trim();
  if (value === undefined || value === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Number.parseFloat(value) * 1000;
  // An HTTP date names its weekday and month (`Wed, 21 Oct 2015 07:28:00 GMT`); Date.parse takes `-1` too.
  if (!/[a-z]{3}/i.test(value)) return undefined;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowEpochMs);
}

export interface BackoffOptions {
  /** The wait before the first retry, before jitter. */
  baseDelayMs: number;
  /** No wait is longer, `Retry-After` included. */
  maxDelayMs: number;
  /** A number in [0, 1); default `Math.random`. */
  random?: () => number;
}

/**
 * The wait before retry number `retry` (0 for the first): the server's `retryAfterMs` when it gave one,
 * else `baseDelayMs * 2^retry` scaled by a random factor in [0.5, 1); both capped at `maxDelayMs`.
 */
export function retryDelayMs(retry: number, retryAfterMs: number | undefined, options: BackoffOptions): number {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, options.maxDelayMs);
  const exponential = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** retry);
  const random = options.random ?? Math.random;
  return Math.round(exponential * (0.5 + 0.5 * random()));
}
