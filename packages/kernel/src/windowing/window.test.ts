import { describe, expect, it } from 'vitest';
import { GlobalWindow, MAX_WATERMARK, TimeWindow } from './window.js';

describe('TimeWindow', () => {
  it('is half-open [start, end) with maxTimestamp = end - 1 (rule 1)', () => {
    const window = new TimeWindow(0, 10);
    expect(window.maxTimestamp).toBe(9);
    expect(window.id).toBe('0,10');
    expect(window.equals(new TimeWindow(0, 10))).toBe(true);
    expect(window.equals(new TimeWindow(0, 11))).toBe(false);
  });

  it('is equal to a window of the same bounds whether or not its id was read, and keeps its JSON form', () => {
    const read = new TimeWindow(0, 10);
    expect(read.id).toBe('0,10');
    expect(read).toStrictEqual(new TimeWindow(0, 10));
    expect({ ...read }).toEqual({ start: 0, end: 10 });
    expect(JSON.parse(JSON.stringify(new TimeWindow(0, 10)))).toEqual({ id: '0,10', start: 0, end: 10 });
  });

  it('aligns window starts to the epoch plus an offset, also for negative timestamps (rule 1)', () => {
    expect(TimeWindow.getWindowStartWithOffset(0, 0, 10)).toBe(0);
    expect(TimeWindow.getWindowStartWithOffset(9, 0, 10)).toBe(0);
    expect(TimeWindow.getWindowStartWithOffset(10, 0, 10)).toBe(10);
    expect(TimeWindow.getWindowStartWithOffset(-1, 0, 10)).toBe(-10);
    expect(TimeWindow.getWindowStartWithOffset(-10, 0, 10)).toBe(-10);
    expect(TimeWindow.getWindowStartWithOffset(-11, 0, 10)).toBe(-20);
    expect(TimeWindow.getWindowStartWithOffset(2, 3, 10)).toBe(-7);
    expect(TimeWindow.getWindowStartWithOffset(3, 3, 10)).toBe(3);
    expect(TimeWindow.getWindowStartWithOffset(-8, -3, 10)).toBe(-13);
  });

  it('intersects windows that overlap or touch, and covers both', () => {
    const a = new TimeWindow(0, 5);
    expect(a.intersects(new TimeWindow(5, 9))).toBe(true);
    expect(a.intersects(new TimeWindow(3, 4))).toBe(true);
    expect(a.intersects(new TimeWindow(6, 9))).toBe(false);
    expect(a.cover(new TimeWindow(7, 9))).toEqual(new TimeWindow(0, 9));
    expect(String(a)).toBe('TimeWindow{start=0, end=5}');
  });
});

describe('GlobalWindow', () => {
  it('is a single window that never ends', () => {
    expect(GlobalWindow.INSTANCE.maxTimestamp).toBe(MAX_WATERMARK);
    expect(GlobalWindow.INSTANCE.id).toBe('global');
  });
});
