import { canonicalKey, PipelineError } from '@sage/common';
import type { KeyedStateStore, ListState, MapState, ValueState } from '../api/function-context.js';

/** Primitive keys index state directly; object keys by their canonical form so equal objects share state. */
export function stateKey(key: unknown): unknown {
  return typeof key === 'object' && key !== null ? canonicalKey(key) : key;
}

/**
 * The keyed state of one operator instance: per key, a map from state name to value. Handles are bound to
 * the key that is current when they are taken, and are meant for the `execute` call that took them.
 */
export class KeyedStateBackend implements KeyedStateStore {
  /** Per state key (see `stateKey`), the slot: state name -> value. Subclasses may persist it. */
  protected readonly byKey = new Map<unknown, Map<string, unknown>>();
  currentKey: unknown;
  keyed = false;
  /**
   * With one record in flight per instance the key cannot change under a running call, so one value
   * handle per name is rebound instead of allocating one per record (the hot path of keyed counting).
   */
  reuseHandles = false;
  private readonly valueHandles = new Map<string, BoundValueState<unknown>>();
  private slotOwner: unknown;
  private slotCache: Map<string, unknown> | undefined;

  constructor(private readonly operatorName: string) {}

  /** Number of keys that hold any state. */
  get keyCount(): number {
    return this.byKey.size;
  }

  value<T>(name: string, initial?: T): ValueState<T> {
    const slot = this.slot(name);
    if (!this.reuseHandles) return new BoundValueState<T>(slot, name, initial);
    let handle = this.valueHandles.get(name) as BoundValueState<T> | undefined;
    if (handle === undefined) this.valueHandles.set(name, (handle = new BoundValueState<T>(slot, name, initial)));
    else handle.rebind(slot, initial);
    return handle;
  }

  list<T>(name: string): ListState<T> {
    const slot = this.slot(name);
    const items = (): T[] => {
      let list = slot.get(name) as T[] | undefined;
      if (list === undefined) slot.set(name, (list = []));
      return list;
    };
    return {
      get: () => (slot.get(name) as T[] | undefined) ?? [],
      add: (value: T) => {
        items().push(value);
      },
      clear: () => {
        slot.delete(name);
      },
    };
  }

  map<K, V>(name: string): MapState<K, V> {
    const slot = this.slot(name);
    const entries = (): Map<K, V> => {
      let map = slot.get(name) as Map<K, V> | undefined;
      if (map === undefined) slot.set(name, (map = new Map()));
      return map;
    };
    return {
      get: (mapKey) => (slot.get(name) as Map<K, V> | undefined)?.get(mapKey),
      set: (mapKey, value) => {
        entries().set(mapKey, value);
      },
      has: (mapKey) => (slot.get(name) as Map<K, V> | undefined)?.has(mapKey) ?? false,
      delete: (mapKey) => (slot.get(name) as Map<K, V> | undefined)?.delete(mapKey) ?? false,
      entries: () => entries().entries(),
      clear: () => {
        slot.delete(name);
      },
    };
  }

  /** The current key's slot; overridable so that a persistent backend can note which keys a batch touched. */
  protected slot(name: string): Map<string, unknown> {
    if (!this.keyed) {
      throw new PipelineError(
        `operator "${this.operatorName}" used keyed state "${name}" but its input is not keyed: call keyBy() first`,
      );
    }
    // Consecutive accesses for the same record (or key) skip the lookup.
    if (this.slotCache !== undefined && this.slotOwner === this.currentKey) return this.slotCache;
    const key = stateKey(this.currentKey);
    let slot = this.byKey.get(key);
    if (slot === undefined) this.byKey.set(key, (slot = new Map()));
    this.slotOwner = this.currentKey;
    this.slotCache = slot;
    return slot;
  }
}

/** A value state bound to one key's slot. Setting `undefined` clears it. */
class BoundValueState<T> implements ValueState<T> {
  constructor(
    private slot: Map<string, unknown>,
    private readonly name: string,
    private initial: T | undefined,
  ) {}

  rebind(slot: Map<string, unknown>, initial: T | undefined): void {
    this.slot = slot;
    this.initial = initial;
  }

  get(): T | undefined {
    const value = this.slot.get(this.name);
    return value === undefined ? this.initial : (value as T);
  }

  set(value: T): void {
    if (value === undefined) this.slot.delete(this.name);
    else this.slot.set(this.name, value);
  }

  clear(): void {
    this.slot.delete(this.name);
  }
}
