import { describe, expect, it } from 'vitest';
import { createStopSignal } from './stop-signal.js';

describe('createStopSignal', () => {
  it('race gives the awaited value and leaves nothing attached to the signal afterwards', async () => {
    const signal = createStopSignal();
    for (let i = 0; i < 1_000; i++) expect(await signal.race(Promise.resolve(i))).toBe(i);
    expect(signal.waiting).toBe(0);
  });

  it('race passes a rejection on and forgets it too', async () => {
    const signal = createStopSignal();
    await expect(signal.race(Promise.reject(new Error('pull failed')))).rejects.toThrow('pull failed');
    expect(signal.waiting).toBe(0);
  });

  it('race resolves undefined when the job stops while it waits, and at once after', async () => {
    const signal = createStopSignal();
    const never = new Promise<number>(() => {});
    const waiting = signal.race(never);
    expect(signal.waiting).toBe(1);
    signal.stop();
    expect(await waiting).toBeUndefined();
    expect(signal.waiting).toBe(0);
    expect(await signal.race(never)).toBeUndefined();
    expect(signal.stopped).toBe(true);
    await signal.promise;
  });

  it('stop runs once', () => {
    const signal = createStopSignal();
    signal.stop();
    signal.stop();
    expect(signal.stopped).toBe(true);
  });
});
