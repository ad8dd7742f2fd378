import { truncateForMessage, ValidationError } from '@sage/common';
import { z } from 'zod';
import { parseConfig } from '../config.js';
import { CachedEmbedder } from './cached-embedder.js';
import type { Embedder } from './embedder.js';
import { HashingEmbedder, type HashingEmbedderConfig } from './hashing-embedder.js';
import { OnnxEmbedder, type OnnxEmbedderConfig } from './onnx-embedder.js';
import { OpenAIEmbedder, type OpenAIEmbedderConfig } from './openai-embedder.js';
import { UseLiteEmbedder, type UseLiteEmbedderConfig } from './use-lite-embedder.js';

/** Whether to wrap the embedder in a `CachedEmbedder` (default yes, 10 000 vectors). */
export interface EmbedderCacheConfig {
  cache?: boolean | { maxEntries?: number };
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

/**
 * The embedder a config describes, cached unless `cache: false`. The provider's own class validates the other
 * options, so a misspelt option fails here with the class and option named (`HashingEmbedder: option
 * "dimensions": …`).
 */
export function createEmbedder(config: EmbedderConfig = {}): Embedder {
  if (config === null || typeof config !== 'object' || Array.isArray(config)) {
    throw new ValidationError(`createEmbedder: config must be an object, got ${truncateForMessage(config)}`);
  }
  const { provider = 'use-lite', cache, ...options } = config as Record<string, unknown>;
  if (typeof provider !== 'string' || !Object.hasOwn(PROVIDERS, provider)) {
    throw new ValidationError(
      `createEmbedder: unknown provider ${truncateForMessage(provider)} (known: ${Object.keys(PROVIDERS).join(', ')})`,
      { details: { owner: 'createEmbedder', option: 'provider' } },
    );
  }
  const caching = parseConfig('createEmbedder', z.strictObject({ cache: cacheSchema }), { cache }).cache;
  const embedder = PROVIDERS[provider as Provider](options);
  if (caching === false) return embedder;
  return new CachedEmbedder(embedder, caching === true ? {} : caching);
}
