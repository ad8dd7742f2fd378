import { EMPTY_LABELS, lowerBound } from './sorted-labels.js';

/**
 * A set of labels kept as a sorted `Uint32Array`, cheap to update in the usual order of a collection:
 * labels arrive ascending (appended in O(1)), removals are recorded and applied in one pass the next time
 * the sorted view is read. An add below the largest label inserts in place (O(size)), which happens only
 * when a record's metadata is replaced under its old label.
 */
export class LabelSet {
  private buffer: Uint32Array = EMPTY_LABELS;
  private length = 0;
  /** Labels still in `buffer` but removed; applied by `sorted()`. */
  private removed: Set<number> | undefined;

  get size(): number {
    return this.length - (this.removed?.size ?? 0);
  }

  has(label: number): boolean {
    if (this.removed?.has(label)) return false;
    const at = lowerBound(this.buffer, label, 0, this.length);
    return at < this.length && this.buffer[at] === label;
  }

  add(label: number): void {
    if (this.removed?.delete(label)) return;
    const length = this.length;
    if (length === 0 || label > this.buffer[length - 1]) {
      this.reserve(length + 1);
      this.buffer[this.length++] = label;
      return;
    }
    const at = lowerBound(this.buffer, label, 0, length);
    if (this.buffer[at] === label) return;
    this.reserve(length + 1);
    this.buffer.copyWithin(at + 1, at, length);
    this.buffer[at] = label;
    this.length++;
  }

  remove(label: number): void {
    const length = this.length;
    if (length === 0 || this.removed?.has(label)) return;
    if (this.buffer[length - 1] === label) {
      this.length--;
      return;
    }
    const at = lowerBound(this.buffer, label, 0, length);
    if (at === length || this.buffer[at] !== label) return;
    this.removed ??= new Set();
    this.removed.add(label);
  }

  /** The labels ascending: a view into the set, valid until the next change. Do not modify it. */
  sorted(): Uint32Array {
    const removed = this.removed;
    if (removed !== undefined && removed.size > 0) {
      let count = 0;
      for (let i = 0; i < this.length; i++) {
        const label = this.buffer[i];
        if (!removed.has(label)) this.buffer[count++] = label;
      }
      this.length = count;
      removed.clear();
    }
    return this.buffer.subarray(0, this.length);
  }

  private reserve(needed: number): void {
    if (needed <= this.buffer.length) return;
    const grown = new Uint32Array(Math.max(needed, 8, Math.ceil(this.buffer.length * 1.5)));
    grown.set(this.buffer.subarray(0, this.length));
    this.buffer = grown;
  }
}
