import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Resolves as soon as `condition()` holds, checking every few milliseconds; fails after `timeoutMs` with
 * `what` in the message. For tests that wait on real I/O (a followed file), instead of fixed sleeps.
 */
export async function waitUntil(condition: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
    await sleep(5);
  }
}
