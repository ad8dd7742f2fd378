import { EMPTY_LABELS } from './sorted-labels.js';

/**
 * The numeric values of one field as (value, label) pairs sorted by value then label, for range queries
 * by binary search. Each label holds at most one number per field. Appends in ascending value order are
 * O(1); other changes are buffered and merged in one pass (sort the new pairs, merge) at the next query,
 * so a bulk load costs O(n log n) rather than O(n) per record. NaN is not stored: it compares false with
 * everything, so no range can hold it.
 */
export class NumberPostings {
  private values = new Float64Array(0);
  private labels = new Uint32Array(0);
  private length = 0;
  /** Added since the last merge: label -> value. */
  private readonly pending = new Map<number, number>();
  /** Sorted pairs to drop at the next merge, by label. */
  private readonly removed = new Set<number>();

  get size(): number {
    return this.length - this.removed.size + this.pending.size;
  }

  add(label: number, value: number): void {
    if (Number.isNaN(value)) return;
    const length = this.length;
    const appendable =
      this.pending.size === 0 &&
      this.removed.size === 0 &&
      (length === 0 ||
        value > this.values[length - 1] ||
        (value === this.values[length - 1] && label > this.labels[length - 1]));
    if (!appendable) {
      this.pending.set(label, value);
      return;
    }
    if (length === this.values.length) this.grow(length + 1);
    this.values[length] = value;
    this.labels[length] = label;
    this.length++;
  }

  /** Removes the label's number; the caller knows it holds one (it passes the record's old metadata). */
  remove(label: number): void {
    if (this.pending.delete(label)) return;
    this.removed.add(label);
  }

  /**
   * Labels whose value lies between the bounds (`undefined` = unbounded), ascending by label. A new array.
   */
  range(lower: number | undefined, lowerInclusive: boolean, upper: number | undefined, upperInclusive: boolean): Uint32Array {
    this.merge();
    const from = lower === undefined ? 0 : this.boundary(lower, !lowerInclusive);
    const to = upper === undefined ? this.length : this.boundary(upper, upperInclusive);
    if (to <= from) return EMPTY_LABELS;
    return sortLabels(this.labels.subarray(from, to));
  }

  /** First index whose value is `> value` (after = true) or `>= value` (after = false). */
  private boundary(value: number, after: boolean): number {
    let low = 0;
    let high = this.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      const current = this.values[middle];
      if (current < value || (after && current === value)) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  private merge(): void {
    if (this.pending.size === 0 && this.removed.size === 0) return;
    const { addedValues, addedLabels } = this.sortedPending();
    const addedCount = addedValues.length;
    const total = this.length - this.removed.size + addedCount;
    const values = new Float64Array(Math.max(total, 8));
    const labels = new Uint32Array(values.length);
    const removed = this.removed;
    const checkRemoved = removed.size > 0;
    let count = 0;
    let next = 0;
    for (let i = 0; i < this.length; i++) {
      const label = this.labels[i];
      if (checkRemoved && removed.has(label)) continue;
      const value = this.values[i];
      while (next < addedCount && (addedValues[next] < value || (addedValues[next] === value && addedLabels[next] < label))) {
        values[count] = addedValues[next];
        labels[count++] = addedLabels[next++];
      }
      values[count] = value;
      labels[count++] = label;
    }
    for (; next < addedCount; next++) {
      values[count] = addedValues[next];
      labels[count++] = addedLabels[next];
    }
    this.values = values;
    this.labels = labels;
    this.length = count;
    this.pending.clear();
    this.removed.clear();
  }

  /** The pending pairs ordered by value then label, sorted as an index permutation over typed arrays. */
  private sortedPending(): { addedValues: Float64Array; addedLabels: Uint32Array } {
    const size = this.pending.size;
    const pendingValues = new Float64Array(size);
    const pendingLabels = new Uint32Array(size);
    let at = 0;
    for (const [label, value] of this.pending) {
      pendingValues[at] = value;
      pendingLabels[at++] = label;
    }
    const order = new Uint32Array(size);
    for (let i = 0; i < size; i++) order[i] = i;
    order.sort((a, b) => {
      const left = pendingValues[a];
      const right = pendingValues[b];
      return left < right ? -1 : left > right ? 1 : pendingLabels[a] - pendingLabels[b];
    });
    const addedValues = new Float64Array(size);
    const addedLabels = new Uint32Array(size);
    for (let i = 0; i < size; i++) {
      addedValues[i] = pendingValues[order[i]];
      addedLabels[i] = pendingLabels[order[i]];
    }
    return { addedValues, addedLabels };
  }

  private grow(needed: number): void {
    const capacity = Math.max(needed, 8, Math.ceil(this.values.length * 1.5));
    const values = new Float64Array(capacity);
    const labels = new Uint32Array(capacity);
    values.set(this.values.subarray(0, this.length));
    labels.set(this.labels.subarray(0, this.length));
    this.values = values;
    this.labels = labels;
  }
}

/** Below this many labels a comparison sort is cheapest; above it, a presence map read back in order. */
const PRESENCE_SORT_MIN = 4096;

/**
 * Distinct labels in ascending order, as a new array. Wide ranges (half a collection) are sorted by
 * marking each label in a byte map and reading it back: linear in the largest label, no comparisons.
 */
function sortLabels(labels: Uint32Array): Uint32Array {
  if (labels.length < PRESENCE_SORT_MIN) return labels.slice().sort();
  let largest = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i]! > largest) largest = labels[i]!;
  const present = new Uint8Array(largest + 1);
  for (let i = 0; i < labels.length; i++) present[labels[i]!] = 1;
  const sorted = new Uint32Array(labels.length);
  let next = 0;
  for (let label = 0; label <= largest; label++) if (present[label] === 1) sorted[next++] = label;
  return sorted;
}
