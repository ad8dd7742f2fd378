import { describe, expect, it } from 'vitest';
import { crc32, crc32Portable } from './checksum.js';

describe('crc32', () => {
  it('matches the standard check value and continues across chunks', () => {
    const data = new TextEncoder().encode('123456789');
    expect(crc32(data)).toBe(0xcbf43926);
    expect(crc32(data.subarray(4), crc32(data.subarray(0, 4)))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
    expect(crc32Portable(data)).toBe(0xcbf43926);
    expect(crc32Portable(data.subarray(4), crc32Portable(data.subarray(0, 4)))).toBe(0xcbf43926);
  });
});
