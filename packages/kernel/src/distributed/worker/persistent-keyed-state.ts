/**
 * Keyed state of a partition that runs on workers: the local in-memory backend, loaded from the partition's
 * Redis hash when the instance opens, and noting which keys each batch touched so that their slots are written
 * back in the batch's commit. The owner of a partition (its lease) is the only writer, so the loaded copy stays
 * the truth until the partition moves; a new owner loads what the last commit left.
 */
import { PipelineError } from '@sage/common';
import { KeyedStateBackend, stateKey } from '../../runtime/keyed-state.js';
import { fromWire, isWireTypedArray, toWire } from '../remote/wire-value.js';

/** No key yet: `undefined` is a valid key. */
const NONE = Symbol('none');
/** How a `Map` (the value of a map state) is written in JSON. */
const MAP_TAG = '$sageMap';

export class PersistentKeyedState extends KeyedStateBackend {
  private readonly touched = new Set<unknown>();
  /** The last key noted, so that consecutive accesses for one record cost one comparison. */
  private lastKey: unknown = NONE;

  constructor(private readonly operator: string) {
    super(operator);
  }

  protected override slot(name: string): Map<string, unknown> {
    const slot = super.slot(name);
    if (this.currentKey !== this.lastKey) {
      this.touched.add(stateKey(this.currentKey));
      this.lastKey = this.currentKey;
    }
    return slot;
  }

  /** Replaces the state with the partition's hash (`encoded key -> encoded slot`). */
  load(fields: Readonly<Record<string, string>>): void {
    this.byKey.clear();
    for (const [field, value] of Object.entries(fields)) this.byKey.set(decodeStateKey(field), decodeSlot(value));
    this.touched.clear();
    this.lastKey = NONE;
  }

  /**
   * The slots touched since the last call, as hash changes: `[field, JSON]`, or `[field, undefined]` for a key
   * whose state is now empty (to delete).
   */
  takeChanges(): Array<[string, string | undefined]> {
    const changes: Array<[string, string | undefined]> = [];
    for (const key of this.touched) {
      const slot = this.byKey.get(key);
      const empty = slot === undefined || slot.size === 0;
      if (empty) this.byKey.delete(key);
      changes.push([encodeStateKey(this.operator, key), empty ? undefined : encodeSlot(this.operator, slot)]);
    }
    this.touched.clear();
    this.lastKey = NONE;
    return changes;
  }
}

/** A state key (what `stateKey` gives: a primitive, or the canonical string of an object key) as a hash field. */
export function encodeStateKey(operator: string, key: unknown): string {
  if (key === undefined) return 'undefined';
  if (key === null || typeof key === 'string' || typeof key === 'boolean' || (typeof key === 'number' && Number.isFinite(key))) {
    return JSON.stringify(key);
  }
  throw new PipelineError(`operator "${operator}" keeps keyed state under the key ${String(key)}, which cannot be stored in Redis (use a string, a finite number, a boolean or a plain object)`);
}

export function decodeStateKey(field: string): unknown {
  return field === 'undefined' ? undefined : JSON.parse(field);
}

/**
 * A slot (state name -> value) as JSON; `Map` values (map states) are tagged so they come back as maps, and
 * typed arrays (a running vector sum) travel in their wire form so they come back as typed arrays.
 */
export function encodeSlot(operator: string, slot: Map<string, unknown>): string {
  const refuse = (reason: string) => new PipelineError(`operator "${operator}" keeps keyed state that is not JSON: ${reason}`);
  try {
    return JSON.stringify(Object.fromEntries(slot), (_name, value: unknown) => {
      if (value instanceof Map) return { [MAP_TAG]: [...value.entries()] };
      return ArrayBuffer.isView(value) ? toWire(value, refuse) : value;
    });
  } catch (error) {
    throw error instanceof PipelineError ? error : refuse((error as Error).message);
  }
}

export function decodeSlot(text: string): Map<string, unknown> {
  const parsed = JSON.parse(text, (_name, value: unknown) => {
    if (typeof value !== 'object' || value === null) return value;
    if (MAP_TAG in value) return new Map((value as Record<string, Array<[unknown, unknown]>>)[MAP_TAG]);
    return isWireTypedArray(value) ? fromWire(value) : value;
  }) as Record<string, unknown>;
  return new Map(Object.entries(parsed));
}
