import { MapFunction } from '@sage/kernel';
import { z } from 'zod';
import { parseConfig } from '../config.js';
import type { RetrievedRecord } from '../contracts.js';
import { type EmbedderSpec, embedderSpecSchema, sharedEmbedder } from '../embedder-resolution.js';
import type { Embedder } from '../embeddings/embedder.js';
import { cosineSimilarity } from '../embeddings/vectors.js';
import { rerankRecord } from './rerank-order.js';

const OPERATOR = 'EmbeddingReranker';

export interface EmbeddingRerankerConfig {
  /** The embedder of the query and the documents' text; default `use-lite`. Any embedder works: the collection's vectors are not used. */
  embedder?: EmbedderSpec;
  /** Keep the best `topK` documents; default all. */
  topK?: number;
}

const schema = z.strictObject({
  embedder: embedderSpecSchema.default('use-lite'),
  topK: z.number().int().min(1).optional(),
});

/**
 * Re-scores `retrievalResults` by the cosine similarity between the query's embedding and each document's
 * text embedding (one batch per record), best first, keeping `topK`. Useful after BM25 or a LangChain
 * retriever, or to rescore hybrid candidates with a different model. `score` becomes the cosine similarity.
 */
export class EmbeddingReranker extends MapFunction<unknown, RetrievedRecord, EmbeddingRerankerConfig> {
  private readonly settings: z.infer<typeof schema>;
  private embedder: Embedder | undefined;

  constructor(config?: EmbeddingRerankerConfig) {
    super(config);
    this.settings = parseConfig(OPERATOR, schema, config);
  }

  override async open(): Promise<void> {
    this.embedder = await sharedEmbedder(this.settings.embedder);
  }

  execute(input: unknown): Promise<RetrievedRecord> {
    return rerankRecord(OPERATOR, input, this.settings.topK, async (query, documents) => {
      this.embedder ??= await sharedEmbedder(this.settings.embedder);
      const [queryVector, ...texts] = await this.embedder.embed([query, ...documents.map((document) => document.text)]);
      return texts.map((vector) => cosineSimilarity(queryVector!, vector));
    });
  }

}
