import type { Collection, Fusion, Hit } from '@sage/middleware';
import { z } from 'zod';
import { parseConfig } from '../config.js';
import { type EmbedderSpec, embedderSpecSchema } from '../embedder-resolution.js';
import { EmbeddingRetrieverBase, type RetrieverConfig, retrieverOptions } from './retriever-base.js';

export interface HybridRetrieverConfig extends RetrieverConfig {
  embedder?: EmbedderSpec;
  /** `rrf` (reciprocal rank fusion, default) or `weighted` (min-max normalised scores). */
  fusion?: Fusion;
  /** RRF constant: larger flattens the rank weights; default 60. */
  rrfK?: number;
  /** Weighted fusion: share of the vector side in [0, 1]; default 0.5. */
  vectorWeight?: number;
  /** Candidates taken from each side before fusing; default max(50, 4 × topK). */
  candidates?: number;
}

const schema = z.strictObject({
  ...retrieverOptions,
  embedder: embedderSpecSchema.optional(),
  fusion: z.enum(['rrf', 'weighted']).default('rrf'),
  rrfK: z.number().positive().default(60),
  vectorWeight: z.number().min(0).max(1).default(0.5),
  candidates: z.number().int().min(1).optional(),
});

/**
 * Dense and BM25 retrieval fused in the database: reciprocal rank fusion or weighted relative scores.
 * `score` is the fused score.
 */
export class HybridRetriever extends EmbeddingRetrieverBase<HybridRetrieverConfig> {
  protected readonly operatorName = 'HybridRetriever';
  protected readonly settings: z.infer<typeof schema>;

  constructor(config?: HybridRetrieverConfig) {
    super(config);
    this.settings = parseConfig('HybridRetriever', schema, config);
  }

  protected async retrieve(query: string, collection: Collection): Promise<Hit[]> {
    const vector = await this.embedQuery(query);
    const { topK, filter, fusion, rrfK, vectorWeight, candidates } = this.settings;
    return collection.hybridSearch({
      vector,
      text: query,
      k: topK,
      fusion,
      rrfK,
      vectorWeight,
      ...(candidates ? { candidates } : {}),
      ...(filter ? { filter } : {}),
    });
  }
}
