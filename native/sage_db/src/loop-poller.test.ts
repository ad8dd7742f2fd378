import { createHook } from 'node:async_hooks';
import { describe, expect, it } from 'vitest';
import { LoopPoller, pollBudgetFromEnv } from './loop-poller.js';

const macrotask = () => new Promise<void>((resolve) => setTimeout(resolve, 0));
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Counts event-loop turns (check phases) until `until` settles. */
async function turnsUntil(until: Promise<unknown>): Promise<number> {
  let turns = 0;
  let done = false;
  void until.finally(() => {
    done = true;
  });
  const hook = createHook({
    init(_id, type) {
      if (type === 'Immediate') turns++;
    },
  });
  hook.enable();
  while (!done) await macrotask();
  hook.disable();
  return turns;
}

describe('LoopPoller', () => {
  it('passes results and rejections through unchanged', async () => {
    const poller = new LoopPoller(500);
    await expect(poller.track(Promise.resolve(42))).resolves.toBe(42);
    const failure = new Error('search failed');
    await expect(poller.track(Promise.reject(failure))).rejects.toBe(failure);
  });

  it('keeps the loop turning while a search is in flight, then stops', async () => {
    const poller = new LoopPoller(50_000);
    let answer!: (value: string) => void;
    const search = poller.track(new Promise<string>((resolve) => (answer = resolve)));
    const turns = turnsUntil(sleep(15));
    expect(await turns).toBeGreaterThan(20); // re-armed on every turn of the loop
    answer('done');
    await expect(search).resolves.toBe('done');
    await macrotask();
    expect(await turnsUntil(sleep(15))).toBe(0); // nothing in flight: no polling left behind
  });

  it('stops polling once the budget after the last event is spent, even with a search in flight', async () => {
    const poller = new LoopPoller(2_000);
    let answer!: () => void;
    const search = poller.track(new Promise<void>((resolve) => (answer = resolve)));
    await sleep(10); // well past 2 ms
    expect(await turnsUntil(sleep(15))).toBe(0);
    answer();
    await search;
  });

  it('never polls with a zero budget', async () => {
    const poller = new LoopPoller(0);
    let answer!: () => void;
    const search = poller.track(new Promise<void>((resolve) => (answer = resolve)));
    expect(await turnsUntil(sleep(10))).toBe(0);
    answer();
    await search;
  });

  it('reads SAGE_DB_SEARCH_POLL_US, off by default and on anything invalid', () => {
    expect(pollBudgetFromEnv({})).toBe(0);
    expect(pollBudgetFromEnv({ SAGE_DB_SEARCH_POLL_US: '0' })).toBe(0);
    expect(pollBudgetFromEnv({ SAGE_DB_SEARCH_POLL_US: '1200' })).toBe(1200);
    expect(pollBudgetFromEnv({ SAGE_DB_SEARCH_POLL_US: '-1' })).toBe(0);
    expect(pollBudgetFromEnv({ SAGE_DB_SEARCH_POLL_US: 'fast' })).toBe(0);
    expect(pollBudgetFromEnv({ SAGE_DB_SEARCH_POLL_US: '2.5' })).toBe(0);
  });
});
