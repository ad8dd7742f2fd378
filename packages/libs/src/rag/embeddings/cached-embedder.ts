import { z } from 'zod';
import { parseConfig } from '../config.js';
import { embedInBatches } from './embed-in-batches.js';
import type { Embedder } from './embedder.js';
import { EmbeddingCache } from './embedding-cache.js';

export interface CachedEmbedderConfig {
  /** Size of the wrapper's own cache (default 10 000 vectors); not allowed together with `cache`. */
  maxEntries?: number;
  /** A cache shared with other wrappers; entries are kept apart by embedder name. */
  cache?: EmbeddingCache;
  /** Most distinct uncached texts per call of the wrapped embedder. Default 256. */
  batchSize?: number;
}

const configSchema = z
  .strictObject({
    maxEntries: z.number().int().min(1).optional(),
    cache: z.instanceof(EmbeddingCache).optional(),
    batchSize: z.number().int().min(1).default(256),
  })
  .refine((config) => config.maxEntries === undefined || config.cache === undefined, {
    message: 'give "maxEntries" or "cache", not both (a shared cache has its own size)',
    path: ['maxEntries'],
  });

/**
 * Wraps an embedder so that a text already seen is not embedded again: ingestion re-reads unchanged files,
 * and queries repeat. Only the texts missing from the cache reach the model, deduplicated and in batches.
 * Vectors handed out are copies, so a caller changing one cannot corrupt the cache. Two concurrent calls
 * that both miss the same text both embed it; the second write wins with an equal vector.
 *
 * `hits + misses` counts every text asked for: a hit is answered without the model (from the cache, or from
 * an identical text earlier in the same call), a miss is sent to the model.
 */
export class CachedEmbedder implements Embedder {
  readonly embedder: Embedder;
  readonly cache: EmbeddingCache;
  private readonly batchSize: number;
  private hitCount = 0;
  private missCount = 0;

  constructor(embedder: Embedder, config?: CachedEmbedderConfig) {
    const { maxEntries, cache, batchSize } = parseConfig('CachedEmbedder', configSchema, config);
    this.embedder = embedder;
    this.cache = cache ?? new EmbeddingCache({ maxEntries });
    this.batchSize = batchSize;
  }

  get name(): string {
    return this.embedder.name;
  }

  get dimension(): number {
    return this.embedder.dimension;
  }

  get hits(): number {
    return this.hitCount;
  }

  get misses(): number {
    return this.missCount;
  }

  init(): Promise<void> {
    return this.embedder.init();
  }

  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    const name = this.embedder.name;
    const found = texts.map((text) => this.cache.get(name, text));
    const missing = [...new Set(texts.filter((_, index) => found[index] === undefined))];
    this.missCount += missing.length;
    this.hitCount += texts.length - missing.length;
    if (missing.length > 0) {
      const vectors = await embedInBatches(this.embedder, missing, this.batchSize);
      const fresh = new Map(missing.map((text, index) => [text, vectors[index]]));
      for (const [text, vector] of fresh) this.cache.set(name, text, vector);
      // From `fresh`, not the cache: a call with more new texts than the cache holds evicts some of its own.
      for (const [index, text] of texts.entries()) found[index] ??= fresh.get(text);
    }
    return found.map((vector) => vector!.slice());
  }

  async close(): Promise<void> {
    await this.embedder.close?.();
  }
}
