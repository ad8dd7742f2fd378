import type { Embedder } from '../embedder.js';
import { HashingEmbedder } from '../hashing-embedder.js';

/** A hashing embedder that records every batch it is asked to embed, for cache and batching tests. */
export class RecordingEmbedder implements Embedder {
  readonly batches: string[][] = [];
  readonly name: string;
  private readonly inner: HashingEmbedder;

  constructor(name = 'recording', dimension = 16) {
    this.name = name;
    this.inner = new HashingEmbedder({ dimension });
  }

  get dimension(): number {
    return this.inner.dimension;
  }

  async init(): Promise<void> {}

  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    this.batches.push([...texts]);
    return this.inner.embed(texts);
  }

  /** Every text embedded so far, in order. */
  get embedded(): string[] {
    return this.batches.flat();
  }

  /** What the underlying hashing embedder gives for `text`, to compare with. */
  async expected(text: string): Promise<number[]> {
    const [vector] = await this.inner.embed([text]);
    return Array.from(vector);
  }
}
