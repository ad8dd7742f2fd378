/**
 * Set operations on label sets held as strictly ascending `Uint32Array`s. Inputs are never modified;
 * results are new arrays except where noted (a single input may be returned as is). When one side is much
 * smaller, the small side's labels are looked up in the large one by binary search instead of merging.
 */

export const EMPTY_LABELS: Uint32Array = new Uint32Array(0);

/** Beyond this size ratio, binary search from the small side beats a linear merge. */
const LOOKUP_RATIO = 16;

/** Index of the first element `>= label` in `sorted[from, to)`. */
export function lowerBound(sorted: ArrayLike<number>, label: number, from = 0, to = sorted.length): number {
  let low = from;
  let high = to;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (sorted[middle] < label) low = middle + 1;
    else high = middle;
  }
  return low;
}

export function intersectSorted(left: Uint32Array, right: Uint32Array): Uint32Array {
  if (left.length === 0 || right.length === 0) return EMPTY_LABELS;
  const [small, large] = left.length <= right.length ? [left, right] : [right, left];
  const out = new Uint32Array(small.length);
  let count = 0;
  if (large.length > small.length * LOOKUP_RATIO) {
    let from = 0;
    for (let i = 0; i < small.length; i++) {
      from = lowerBound(large, small[i], from);
      if (from === large.length) break;
      if (large[from] === small[i]) out[count++] = small[i];
    }
  } else {
    let i = 0;
    let j = 0;
    while (i < small.length && j < large.length) {
      const a = small[i];
      const b = large[j];
      if (a === b) {
        out[count++] = a;
        i++;
        j++;
      } else if (a < b) i++;
      else j++;
    }
  }
  return out.slice(0, count);
}

export function unionSorted(left: Uint32Array, right: Uint32Array): Uint32Array {
  if (left.length === 0) return right;
  if (right.length === 0) return left;
  const out = new Uint32Array(left.length + right.length);
  let i = 0;
  let j = 0;
  let count = 0;
  while (i < left.length && j < right.length) {
    const a = left[i];
    const b = right[j];
    if (a === b) {
      out[count++] = a;
      i++;
      j++;
    } else if (a < b) {
      out[count++] = a;
      i++;
    } else {
      out[count++] = b;
      j++;
    }
  }
  while (i < left.length) out[count++] = left[i++];
  while (j < right.length) out[count++] = right[j++];
  return count === out.length ? out : out.slice(0, count);
}

/** `left` without the labels in `right`. */
export function differenceSorted(left: Uint32Array, right: Uint32Array): Uint32Array {
  if (left.length === 0 || right.length === 0) return left;
  const out = new Uint32Array(left.length);
  let count = 0;
  if (right.length * LOOKUP_RATIO < left.length) {
    let j = 0;
    for (let i = 0; i < left.length; i++) {
      const label = left[i];
      j = lowerBound(right, label, j);
      if (j === right.length || right[j] !== label) out[count++] = label;
    }
  } else {
    let j = 0;
    for (let i = 0; i < left.length; i++) {
      const label = left[i];
      while (j < right.length && right[j] < label) j++;
      if (j === right.length || right[j] !== label) out[count++] = label;
    }
  }
  return out.slice(0, count);
}

/** Union of any number of sets: concatenate, sort, drop repeats. */
export function unionManySorted(sets: readonly Uint32Array[]): Uint32Array {
  const nonEmpty = sets.filter((set) => set.length > 0);
  if (nonEmpty.length === 0) return EMPTY_LABELS;
  if (nonEmpty.length === 1) return nonEmpty[0];
  if (nonEmpty.length === 2) return unionSorted(nonEmpty[0], nonEmpty[1]);
  let total = 0;
  for (const set of nonEmpty) total += set.length;
  const all = new Uint32Array(total);
  let offset = 0;
  for (const set of nonEmpty) {
    all.set(set, offset);
    offset += set.length;
  }
  all.sort();
  return dropRepeats(all);
}

/** Intersection of any number of sets, smallest first so the work shrinks quickly. */
export function intersectManySorted(sets: readonly Uint32Array[]): Uint32Array {
  if (sets.length === 0) throw new Error('intersectManySorted needs at least one set');
  const bySize = [...sets].sort((a, b) => a.length - b.length);
  let result = bySize[0];
  for (let i = 1; i < bySize.length && result.length > 0; i++) result = intersectSorted(result, bySize[i]);
  return result;
}

/** Removes adjacent repeats from a sorted array, in place; returns the shortened view. */
export function dropRepeats(sorted: Uint32Array): Uint32Array {
  if (sorted.length < 2) return sorted;
  let count = 1;
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i] !== sorted[count - 1]) sorted[count++] = sorted[i];
  }
  return sorted.subarray(0, count);
}

/** True when the labels are strictly ascending (sorted, no repeats). */
export function isStrictlyAscending(labels: ArrayLike<number>): boolean {
  for (let i = 1; i < labels.length; i++) if (!(labels[i - 1] < labels[i])) return false;
  return true;
}
