import { LabelSet } from './label-set.js';
import { NumberPostings } from './number-postings.js';
import { EMPTY_LABELS } from './sorted-labels.js';

/**
 * The inverted index of one metadata field: which labels have it at all, and per value which labels hold
 * it (strings, booleans and list items as sets of labels, numbers as sorted (value, label) pairs). Values
 * of other types (null, objects, non-string list items) only count as present, matching `buildMatcher`.
 *
 * Query results are ascending label arrays. Those returned by `present`, `stringEquals`, `listContains`
 * and `booleanEquals` are views into the index, valid until its next change: do not modify them.
 */
export class FieldIndex {
  private readonly presentLabels = new LabelSet();
  private readonly strings = new Map<string, LabelSet>();
  private readonly listItems = new Map<string, LabelSet>();
  private readonly trueLabels = new LabelSet();
  private readonly falseLabels = new LabelSet();
  private readonly numbers = new NumberPostings();
  /** The keys of `strings`, sorted, for range queries; rebuilt after a key comes or goes. */
  private sortedStrings: string[] | undefined;

  /** Labels with a value in this field. */
  get size(): number {
    return this.presentLabels.size;
  }

  add(label: number, value: unknown): void {
    this.presentLabels.add(label);
    if (typeof value === 'string') {
      this.addTo(this.strings, value, label, true);
    } else if (typeof value === 'number') {
      this.numbers.add(label, value);
    } else if (typeof value === 'boolean') {
      (value ? this.trueLabels : this.falseLabels).add(label);
    } else if (Array.isArray(value)) {
      for (const item of value) if (typeof item === 'string') this.addTo(this.listItems, item, label, false);
    }
  }

  /** Removes a label; `value` must be the value it was added with. */
  remove(label: number, value: unknown): void {
    this.presentLabels.remove(label);
    if (typeof value === 'string') {
      this.removeFrom(this.strings, value, label, true);
    } else if (typeof value === 'number') {
      if (!Number.isNaN(value)) this.numbers.remove(label);
    } else if (typeof value === 'boolean') {
      (value ? this.trueLabels : this.falseLabels).remove(label);
    } else if (Array.isArray(value)) {
      for (const item of value) if (typeof item === 'string') this.removeFrom(this.listItems, item, label, false);
    }
  }

  present(): Uint32Array {
    return this.presentLabels.sorted();
  }

  /** Labels whose value is exactly the string (not lists holding it). */
  stringEquals(value: string): Uint32Array {
    return this.strings.get(value)?.sorted() ?? EMPTY_LABELS;
  }

  /** Labels whose value is a list holding the string. */
  listContains(item: string): Uint32Array {
    return this.listItems.get(item)?.sorted() ?? EMPTY_LABELS;
  }

  booleanEquals(value: boolean): Uint32Array {
    return (value ? this.trueLabels : this.falseLabels).sorted();
  }

  /** Labels whose number lies between the bounds (`undefined` = unbounded). A new array. */
  numberRange(lower: number | undefined, lowerInclusive: boolean, upper: number | undefined, upperInclusive: boolean): Uint32Array {
    return this.numbers.range(lower, lowerInclusive, upper, upperInclusive);
  }

  /** Labels whose string lies between the bounds in UTF-16 code unit order (as `<`). A new array. */
  stringRange(lower: string | undefined, lowerInclusive: boolean, upper: string | undefined, upperInclusive: boolean): Uint32Array {
    this.sortedStrings ??= [...this.strings.keys()].sort();
    const keys = this.sortedStrings;
    let from = lower === undefined ? 0 : firstNotBelow(keys, lower);
    if (lower !== undefined && !lowerInclusive && keys[from] === lower) from++;
    let to = upper === undefined ? keys.length : firstNotBelow(keys, upper);
    if (upper !== undefined && upperInclusive && keys[to] === upper) to++;
    if (to <= from) return EMPTY_LABELS;
    const parts: Uint32Array[] = [];
    let total = 0;
    for (let i = from; i < to; i++) {
      const labels = this.strings.get(keys[i])!.sorted();
      parts.push(labels);
      total += labels.length;
    }
    // A label holds one string per field, so the parts are disjoint: concatenate and sort.
    const out = new Uint32Array(total);
    let offset = 0;
    for (const part of parts) {
      out.set(part, offset);
      offset += part.length;
    }
    return out.sort();
  }

  private addTo(map: Map<string, LabelSet>, key: string, label: number, sortedKeys: boolean): void {
    let set = map.get(key);
    if (set === undefined) {
      set = new LabelSet();
      map.set(key, set);
      if (sortedKeys) this.sortedStrings = undefined;
    }
    set.add(label);
  }

  private removeFrom(map: Map<string, LabelSet>, key: string, label: number, sortedKeys: boolean): void {
    const set = map.get(key);
    if (set === undefined) return;
    set.remove(label);
    if (set.size === 0) {
      map.delete(key);
      if (sortedKeys) this.sortedStrings = undefined;
    }
  }
}

/** Index of the first key `>= value` in ascending `keys`. */
function firstNotBelow(keys: readonly string[], value: string): number {
  let low = 0;
  let high = keys.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (keys[middle] < value) low = middle + 1;
    else high = middle;
  }
  return low;
}
