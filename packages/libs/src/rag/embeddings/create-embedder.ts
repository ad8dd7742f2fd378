import { truncateForMessage, ValidationError } from '@sage/common';
import { z } from 'zod';
import { parseConfig } from '../config.js';
import { CachedEmbedder } from './cached-embedder.js';
import type { Embedder } from './embedder.js';
import { HashingEmbedder, type HashingEmbedderConfig } from './hashing-embedder.js';
import { OnnxEmbedder, type OnnxEmbedderConfig } from './onnx-embedder.js';
import { OpenAIEmbedder, type OpenAIEmbedderConfig } from './openai-embedder.js';
import { UseLiteEmbedder, type UseLiteEmbedderConfig } from './use-lite-embedder.js';
import { WorkerPoolEmbedder } from './worker-pool-embedder.js';

/** Whether to wrap the embedder in a `CachedEmbedder` (default yes, 10 000 vectors), and where it runs. */
export interface EmbedderCacheConfig {
  cache?: boolean | { maxEntries?: number };
  /**
   * Worker threads to run the model on, each with its own copy (`WorkerPoolEmbedder`); default none: it runs
   * on the calling thread. For models that compute in-process (use-lite, onnx).
   */
  workers?: number;
}

/** The factory config: a provider and that embedder's options. The provider defaults to `use-lite`. */
export type EmbedderConfig = EmbedderCacheConfig &
  (
    | ({ provider?: 'use-lite' } & UseLiteEmbedderConfig)
    | ({ provider: 'hashing' } & HashingEmbedderConfig)
    | ({ provider: 'openai' } & OpenAIEmbedderConfig)
    | ({ provider: 'onnx' } & OnnxEmbedderConfig)
  );

const PROVIDERS = {
  'use-lite': (options: object) => new UseLiteEmbedder(options),
  hashing: (options: object) => new HashingEmbedder(options),
  openai: (options: object) => new OpenAIEmbedder(options as OpenAIEmbedderConfig),
  onnx: (options: object) => new OnnxEmbedder(options as OnnxEmbedderConfig),
} satisfies Record<string, (options: object) => Embedder>;

type Provider = keyof typeof PROVIDERS;

const cacheSchema = z
  .union([z.boolean(), z.strictObject({ maxEntries: z.number().int().min(1).optional() })], {
    error: 'expected true, false or { maxEntries }',
  })
  .default(true);

const workersSchema = z.number().int().min(1).max(256).optional();

/**
 * The embedder a config describes, cached unless `cache: false`. The provider's own class validates the other
 * options, so a misspelt option fails here with the class and option named (`HashingEmbedder: option
 * "dimensions": …`).
 */
export function createEmbedder(config: EmbedderConfig = {}): Embedder {
  if (config === null || typeof config !== 'object' || Array.isArray(config)) {
    throw new ValidationError(`createEmbedder: config must be an object, got ${truncateForMessage(config)}`);
  }
  const { provider = 'use-lite', cache, workers, ...options } = config as Record<string, unknown>;
  if (typeof provider !== 'string' || !Object.hasOwn(PROVIDERS, provider)) {
    throw new ValidationError(
      `createEmbedder: unknown provider ${truncateForMessage(provider)} (known: ${Object.keys(PROVIDERS).join(', ')})`,
      { details: { owner: 'createEmbedder', option: 'provider' } },
    );
  }
  const settings = parseConfig('createEmbedder', z.strictObject({ cache: cacheSchema, workers: workersSchema }), { cache, workers });
  const caching = settings.cache;
  // Built here even with workers: it checks the options now and gives the embedder's name.
  let embedder: Embedder = PROVIDERS[provider as Provider](options);
  if (settings.workers !== undefined) {
    embedder = new WorkerPoolEmbedder({ embedder: { provider, ...options } as EmbedderConfig, workers: settings.workers }, embedder.name);
  }
  if (caching === false) return embedder;
  return new CachedEmbedder(embedder, caching === true ? {} : caching);
}
