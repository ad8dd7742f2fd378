/**
 * One interface for every embedding model. `dimension` comes from the model (known after `init()` for
 * models that load lazily). `embed` takes a batch and returns one vector per text, in order.
 */
export interface Embedder {
  /** Stable name used in cache keys and index metadata, e.g. `use-lite`, `hashing-256`, `openai:text-embedding-3-small`. */
  readonly name: string;
  /** Vector length; throws before `init()` for models that learn it when they load. */
  readonly dimension: number;
  /** Loads the model (idempotent). `embed` calls it when needed. */
  init(): Promise<void>;
  embed(texts: readonly string[]): Promise<Float32Array[]>;
  /** Frees the model. */
  close?(): Promise<void>;
}
