import type { Collection, Hit } from '@sage/middleware';
import { z } from 'zod';
import { parseConfig } from '../config.js';
import type { Embedder } from '../embeddings/embedder.js';
import { type EmbedderSpec, embedderSpecSchema, resolveCollectionEmbedder } from '../embedder-resolution.js';
import { type RetrieverConfig, RetrieverBase, retrieverOptions } from './retriever-base.js';

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
export class DenseRetriever extends RetrieverBase<DenseRetrieverConfig> {
  protected readonly operatorName = 'DenseRetriever';
  protected readonly settings: z.infer<typeof schema>;
  private embedder: Embedder | undefined;

  constructor(config?: DenseRetrieverConfig) {
    super(config);
    this.settings = parseConfig('DenseRetriever', schema, config);
  }

  override async open(): Promise<void> {
    await super.open();
    this.embedder = await resolveCollectionEmbedder('DenseRetriever', this.collection.info(), this.settings.embedder);
  }

  protected async retrieve(query: string, collection: Collection): Promise<Hit[]> {
    const [vector] = await this.embedder!.embed([query]);
    const { topK, filter, efSearch } = this.settings;
    return collection.search(vector!, { k: topK, ...(filter ? { filter } : {}), ...(efSearch ? { efSearch } : {}) });
  }
}
