import { describe, expect, it } from 'vitest';
import { EventTimeSessionWindows } from './assigners.js';
import { MergingWindowSet } from './merging-window-set.js';
import { TimeWindow } from './window.js';

describe('MergingWindowSet', () => {
  it('keeps one state window per session while windows merge', () => {
    const set = new MergingWindowSet(EventTimeSessionWindows.withGap(5));
    const merges: string[] = [];
    const record = (result: TimeWindow, merged: TimeWindow[], stateWindow: TimeWindow, mergedState: TimeWindow[]) =>
      merges.push(`${result.id} <- ${merged.map((window) => window.id).join(' ')} state ${stateWindow.id} <- ${mergedState.map((window) => window.id).join(' ')}`);
    expect(set.addWindow(new TimeWindow(0, 5), record).id).toBe('0,5');
    expect(set.addWindow(new TimeWindow(10, 15), record).id).toBe('10,15');
    expect(merges).toEqual([]);
    // Inside an existing window: no merge needed.
    expect(set.addWindow(new TimeWindow(1, 4), record).id).toBe('0,5');
    expect(set.addWindow(new TimeWindow(0, 5), record).id).toBe('0,5');
    expect(merges).toEqual([]);
    // Bridges both.
    expect(set.addWindow(new TimeWindow(4, 10), record).id).toBe('0,15');
    expect(merges).toEqual(['0,15 <- 0,5 10,15 state 0,5 <- 10,15']);
    expect(set.getStateWindow(new TimeWindow(0, 15))?.id).toBe('0,5');
    expect(set.getStateWindow(new TimeWindow(0, 5))).toBeUndefined();
    set.retireWindow(new TimeWindow(0, 15));
    expect(set.isEmpty).toBe(true);
  });
});
