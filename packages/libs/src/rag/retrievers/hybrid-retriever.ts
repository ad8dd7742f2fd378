import type { Collection, Fusion, Hit } from '@sage/middleware';
import { z } from 'zod';
import { parseConfig } from '../config.js';
import type { Embedder } from '../embeddings/embedder.js';
import { type EmbedderSpec, embedderSpecSchema, resolveCollectionEmbedder } from '../embedder-resolution.js';
import { type RetrieverConfig, RetrieverBase, retrieverOptions } from './retriever-base.js';

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
export class HybridRetriever extends RetrieverBase<HybridRetrieverConfig> {
  protected readonly operatorName = 'HybridRetriever';
  protected readonly settings: z.infer<typeof schema>;
  private embedder: Embedder | undefined;

  constructor(config?: HybridRetrieverConfig) {
    super(config);
    this.settings = parseConfig('HybridRetriever', schema, config);
  }

  override async open(): Promise<void> {
    await super.open();
    this.embedder = await resolveCollectionEmbedder('HybridRetriever', this.collection.info(), this.settings.embedder);
  }

  protected async retrieve(query: string, collection: Collection): Promise<Hit[]> {
    const [vector] = await this.embedder!.embed([query]);
    const { topK, filter, fusion, rrfK, vectorWeight, candidates } = this.settings;
    return collection.hybridSearch({
      vector: vector!,
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
