import { createHash } from 'node:crypto';
import { z } from 'zod';
import { parseConfig } from '../config.js';

export interface EmbeddingCacheConfig {
  /** Most vectors kept; the least recently used goes first. Default 10 000. */
  maxEntries?: number;
}

const configSchema = z.strictObject({
  maxEntries: z.number().int().min(1).default(10_000),
});

/**
 * An in-memory LRU map from `(embedder name, text)` to a vector. One cache may serve several embedders: the
 * name is part of the key, so two models never answer for each other. Texts are keyed by their SHA-256, not
 * by `hashString`: a 32-bit hash collides within a few ten thousand texts and a collision would return
 * another text's vector; a digest also keeps long chunks out of memory.
 */
export class EmbeddingCache {
  readonly maxEntries: number;
  /** A Map iterates in insertion order, so re-inserting on use keeps the least recently used first. */
  private readonly entries = new Map<string, Float32Array>();

  constructor(config?: EmbeddingCacheConfig) {
    this.maxEntries = parseConfig('EmbeddingCache', configSchema, config).maxEntries;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The cached vector, marked as just used, or undefined. */
  get(embedder: string, text: string): Float32Array | undefined {
    const key = cacheKey(embedder, text);
    const vector = this.entries.get(key);
    if (vector !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, vector);
    }
    return vector;
  }

  set(embedder: string, text: string, vector: Float32Array): void {
    const key = cacheKey(embedder, text);
    this.entries.delete(key);
    this.entries.set(key, vector);
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }

  clear(): void {
    this.entries.clear();
  }
}

function cacheKey(embedder: string, text: string): string {
  return `${embedder}\n${createHash('sha256').update(text).digest('base64')}`;
}
