import type { Logger } from '@sage/common';

export interface ServiceCallOptions {
  /** Method to call on the service; default `process`. */
  method?: string;
  /** Positional arguments. */
  args?: unknown[];
  /** Milliseconds before the call fails with a `ServiceTimeoutError`; default from the environment (10 s). */
  timeout?: number;
}

/** Keyed value state: one value per key. */
export interface ValueState<T> {
  get(): T | undefined;
  set(value: T): void;
  clear(): void;
}

/** Keyed list state: one list per key. */
export interface ListState<T> {
  get(): readonly T[];
  add(value: T): void;
  clear(): void;
}

/** Keyed map state: one map per key. */
export interface MapState<K, V> {
  get(mapKey: K): V | undefined;
  set(mapKey: K, value: V): void;
  has(mapKey: K): boolean;
  delete(mapKey: K): boolean;
  entries(): IterableIterator<[K, V]>;
  clear(): void;
}

/**
 * Keyed state of the current record's key. Each accessor returns a handle bound to the key of the record
 * being processed when it was called, so a handle taken before an `await` still points at the right key.
 */
export interface KeyedStateStore {
  value<T>(name: string, initial?: T): ValueState<T>;
  list<T>(name: string): ListState<T>;
  map<K, V>(name: string): MapState<K, V>;
}

/** What a user function sees of the runtime, as `this.ctx`. */
export interface FunctionContext {
  /** The operator's name (unique in the job). */
  readonly name: string;
  readonly jobName: string;
  /** Index of this instance among the operator's `parallelism` instances. */
  readonly parallelIndex: number;
  readonly parallelism: number;
  readonly logger: Logger;
  /** Keyed state scoped to the current key; throws outside a keyed operator. */
  readonly state: KeyedStateStore;
  /** The key of the record being processed (keyed operators only). */
  getKey<K = unknown>(): K;
  callService<R = unknown>(name: string, options?: ServiceCallOptions): Promise<R>;
}
