import { ValidationError } from '@sage/common';
import { describe, expect, it } from 'vitest';
import { bitmapHas, toBitmap } from './bitmap.js';

describe('label bitmaps', () => {
  it('sets bit label % 8 of byte label >> 3', () => {
    const bitmap = toBitmap([0, 3, 8, 17], 18);
    expect([...bitmap]).toEqual([0b0000_1001, 0b0000_0001, 0b0000_0010]);
    expect([0, 1, 3, 8, 17, 18, 1000].map((label) => bitmapHas(bitmap, label))).toEqual([true, false, true, true, true, false, false]);
    expect(toBitmap(new Uint32Array(0), 0)).toHaveLength(0);
    expect(toBitmap([7], 8)).toHaveLength(1);
  });

  it('refuses labels outside the size', () => {
    expect(() => toBitmap([8], 8)).toThrow(ValidationError);
    expect(() => toBitmap([1.5], 8)).toThrow('label 1.5 is outside [0, 8)');
    expect(() => toBitmap([], -1)).toThrow(ValidationError);
  });
});
