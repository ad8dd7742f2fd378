import type { Collection, Hit } from '@sage/middleware';
import { z } from 'zod';
import { parseConfig } from '../config.js';
import { type EmbedderSpec, embedderSpecSchema } from '../embedder-resolution.js';
import { EmbeddingRetrieverBase, type RetrieverConfig, retrieverOptions } from './retriever-base.js';

export interface DenseRetrieverConfig extends RetrieverConfig {
  /** The embedder of the queries; default: the one recorded with the collection when it was indexed. */
  embedder?: EmbedderSpec;
  /** HNSW search list size per query (recall vs speed). */
  efSearch?: number;
}

const schema = z.strictObject({
  ...retrieverOptions,
  embedder: embedderSpecSchema.optional(),
  efSearch: z.number().int().min(1).optional(),
});

/**
 * Vector search: embeds the query with the collection's embedder and returns the `topK` nearest chunks
 * (`{ query }` or a plain string in, `retrievalResults` out, best first, `score` = cosine similarity).
 */
export class DenseRetriever extends EmbeddingRetrieverBase<DenseRetrieverConfig> {
  protected readonly operatorName = 'DenseRetriever';
  protected readonly settings: z.infer<typeof schema>;

  constructor(config?: DenseRetrieverConfig) {
    super(config);
    this.settings = parseConfig('DenseRetriever', schema, config);
  }

  protected async retrieve(query: string, collection: Collection): Promise<Hit[]> {
    const vector = await this.embedQuery(query);
    const { topK, filter, efSearch } = this.settings;
    return collection.search(vector, { k: topK, ...(filter ? { filter } : {}), ...(efSearch ? { efSearch } : {}) });
  }
}
