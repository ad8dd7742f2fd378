import { describe, expect, it } from 'vitest';
import { VirtualClock } from './virtual-clock.js';

describe('VirtualClock', () => {
  it('fires timers in time order only when advanced', () => {
    const clock = new VirtualClock();
    const fired: string[] = [];
    clock.schedule(20, () => fired.push('b'));
    const cancel = clock.schedule(5, () => fired.push('never'));
    clock.schedule(10, () => fired.push('a'));
    cancel();
    clock.advance(9);
    expect(fired).toEqual([]);
    clock.advance(11);
    expect(fired).toEqual(['a', 'b']);
    expect(clock.now()).toBe(20);
    expect(clock.pending).toBe(0);
  });
});
