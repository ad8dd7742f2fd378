import { compileFilter } from './filter/compile-filter.js';
import { toBitmap } from './filter/bitmap.js';
import type { MetadataIndex } from './filter/metadata-index.js';
import type { Filter } from './types.js';

/** The records a filter matches: sorted labels, and the same as a bitmap when a search needs one. */
export class MatchingSet {
  private bitmapCache: { size: number; bitmap: Uint8Array } | undefined;

  constructor(readonly labels: Uint32Array) {}

  /** Bitmap over labels `0..size-1` (bit `label % 8` of byte `label >> 3`), built once. */
  bitmap(size: number): Uint8Array {
    if (this.bitmapCache?.size !== size) this.bitmapCache = { size, bitmap: toBitmap(this.labels, size) };
    return this.bitmapCache.bitmap;
  }
}

const CAPACITY = 32;

/**
 * Evaluated filters of one collection, reused until the next write. Applications filter by the same
 * few values again and again (a tenant, a language), and evaluating a wide filter into labels and a
 * bitmap costs more than the filtered search itself.
 */
export class MatchingCache {
  private readonly entries = new Map<string, MatchingSet>();

  constructor(private readonly index: MetadataIndex) {}

  /** The matching set of `filter` (validated: a malformed filter throws a `ValidationError`). */
  get(filter: Filter): MatchingSet {
    const key = JSON.stringify(filter);
    const cached = key === undefined ? undefined : this.entries.get(key);
    if (cached !== undefined) return cached;
    const matching = new MatchingSet(compileFilter(filter).evaluate(this.index));
    if (key !== undefined) {
      if (this.entries.size >= CAPACITY) this.entries.delete(this.entries.keys().next().value!);
      this.entries.set(key, matching);
    }
    return matching;
  }

  /** Forgets every evaluated filter: call after any change to the records. */
  clear(): void {
    this.entries.clear();
  }
}
