import { describe, expect, it } from 'vitest';
import { loadOnce } from './load-once.js';

describe('loadOnce', () => {
  it('shares one load between concurrent and later calls', async () => {
    let loads = 0;
    const load = loadOnce(async () => ++loads);
    expect(await Promise.all([load(), load(), load()])).toEqual([1, 1, 1]);
    expect(await load()).toBe(1);
    expect(loads).toBe(1);
  });

  it('forgets a failed load so the next call tries again', async () => {
    let attempts = 0;
    const load = loadOnce(async () => {
      attempts++;
      if (attempts === 1) throw new Error('not yet');
      return 'loaded';
    });
    await expect(load()).rejects.toThrow('not yet');
    expect(await load()).toBe('loaded');
    expect(attempts).toBe(2);
  });

  it('reset() returns the current load and makes the next call load again', async () => {
    let loads = 0;
    const load = loadOnce(async () => ++loads);
    await load();
    expect(await load.reset()).toBe(1);
    expect(load.reset()).toBeUndefined();
    expect(await load()).toBe(2);
  });
});
