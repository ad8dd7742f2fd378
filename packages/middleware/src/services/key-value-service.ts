import { truncateForMessage, ValidationError } from '@sage/common';
import { BaseService } from '@sage/kernel';

export interface KeyValueServiceConfig {
  /** Entries the store starts with. */
  initial?: Record<string, unknown>;
}

/**
 * An in-memory key/value store shared by every operator instance of a job: register it with
 * `env.registerService('kv', KeyValueService, { initial })` and call `get`, `set`, `delete` or `keys`
 * (`process` is `get`, so `callService('kv', { args: [key] })` reads a key). It lives as long as the job.
 * Values are `unknown` (any value, held as given, not copied: do not mutate a value after `set` or one
 * returned by `get`); the class is not generic because the kernel cannot infer a generic class's config.
 */
export class KeyValueService extends BaseService<KeyValueServiceConfig> {
  private readonly entries = new Map<string, unknown>();

  constructor(config?: KeyValueServiceConfig) {
    super(config);
    const initial = this.config.initial;
    if (initial === undefined) return;
    if (initial === null || typeof initial !== 'object' || Array.isArray(initial)) {
      throw new ValidationError(`KeyValueService: option "initial" must be an object of entries, got ${truncateForMessage(initial)}`);
    }
    for (const [key, value] of Object.entries(initial)) this.entries.set(key, value);
  }

  /** The value under `key`, or `undefined` when there is none. */
  get(key: string): unknown {
    return this.entries.get(this.checkKey(key));
  }

  set(key: string, value: unknown): void {
    this.entries.set(this.checkKey(key), value);
  }

  /** Removes `key`; true when it was there. */
  delete(key: string): boolean {
    return this.entries.delete(this.checkKey(key));
  }

  /** Every key, in insertion order. */
  keys(): string[] {
    return [...this.entries.keys()];
  }

  /** The default method of `callService`: same as `get`. */
  process(key: string): unknown {
    return this.get(key);
  }

  /** Keys are strings: a number key would silently miss the entry stored under its string form. */
  private checkKey(key: unknown): string {
    if (typeof key !== 'string') {
      throw new ValidationError(`KeyValueService "${this.name ?? 'unregistered'}": key must be a string, got ${truncateForMessage(key)}`);
    }
    return key;
  }
}
