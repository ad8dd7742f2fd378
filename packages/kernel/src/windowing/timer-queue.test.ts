import { describe, expect, it } from 'vitest';
import { TimerQueue, type WindowTimer } from './timer-queue.js';
import { TimeWindow } from './window.js';

const timer = (timestamp: number, keyId: string, start = 0): WindowTimer<string> => ({ timestamp, key: keyId, keyId, window: new TimeWindow(start, start + 10) });

describe('TimerQueue', () => {
  it('polls due timers by timestamp, then key, then window; one timer per (key, window, timestamp)', () => {
    const queue = new TimerQueue<string>();
    for (const each of [timer(30, 'b'), timer(10, 'b'), timer(10, 'a', 5), timer(10, 'a'), timer(20, 'a'), timer(5, 'c')]) queue.register(each);
    expect(queue.register(timer(10, 'b'))).toBe(false);
    queue.delete(timer(5, 'c'));
    expect(queue.size).toBe(5);
    const polled: string[] = [];
    for (let next = queue.pollDue(20); next !== undefined; next = queue.pollDue(20)) polled.push(`${next.timestamp}:${next.keyId}:${next.window.id}`);
    expect(polled).toEqual(['10:a:0,10', '10:a:5,15', '10:b:0,10', '20:a:0,10']);
    expect(queue.size).toBe(1);
    expect(queue.register(timer(10, 'b'))).toBe(true);
  });

  it('skips a deleted timer but fires one registered again after the delete', () => {
    const queue = new TimerQueue<string>();
    queue.register(timer(10, 'a'));
    queue.register(timer(10, 'a', 5));
    queue.delete(timer(10, 'a'));
    queue.delete(timer(99, 'a'));
    expect(queue.size).toBe(1);
    const again = timer(10, 'a');
    expect(queue.register(again)).toBe(true);
    expect(queue.pollDue(10)).toBe(again);
    expect(queue.pollDue(10)?.window.id).toBe('5,15');
    expect(queue.pollDue(10)).toBeUndefined();
    expect(queue.size).toBe(0);
  });
});
