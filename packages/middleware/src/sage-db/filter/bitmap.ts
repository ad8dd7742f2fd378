import { ValidationError } from '@sage/common';

/**
 * Label bitmaps as the backends take them (`BackendSearchOptions.allowed`): bit `label % 8` of byte
 * `label >> 3` is set when the label is allowed.
 */

/** A bitmap of `size` bits (`ceil(size / 8)` bytes) with the given labels set; every label must be `< size`. */
export function toBitmap(labels: ArrayLike<number>, size: number): Uint8Array {
  if (!Number.isInteger(size) || size < 0) throw new ValidationError(`toBitmap: size must be a non-negative integer, got ${size}`);
  const bitmap = new Uint8Array((size + 7) >>> 3);
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i];
    if (!(Number.isInteger(label) && label >= 0 && label < size)) {
      throw new ValidationError(`toBitmap: label ${label} is outside [0, ${size})`, { details: { label, size } });
    }
    bitmap[label >>> 3] |= 1 << (label & 7);
  }
  return bitmap;
}

/** True when the label's bit is set; labels past the end of the bitmap are not set. */
export function bitmapHas(bitmap: Uint8Array, label: number): boolean {
  const byte = label >>> 3;
  return byte < bitmap.length && (bitmap[byte] & (1 << (label & 7))) !== 0;
}
