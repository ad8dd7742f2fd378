import type { Collection, Hit } from '@sage/middleware';
import { z } from 'zod';
import { parseConfig } from '../config.js';
import { type RetrieverConfig, RetrieverBase, retrieverOptions } from './retriever-base.js';

export type BM25RetrieverConfig = RetrieverConfig;

const schema = z.strictObject(retrieverOptions);

/** Keyword search: BM25 over the chunks' text (no embedder needed). `score` is the BM25 score. */
export class BM25Retriever extends RetrieverBase<BM25RetrieverConfig> {
  protected readonly operatorName = 'BM25Retriever';
  protected readonly settings: z.infer<typeof schema>;

  constructor(config?: BM25RetrieverConfig) {
    super(config);
    this.settings = parseConfig('BM25Retriever', schema, config);
  }

  protected retrieve(query: string, collection: Collection): Promise<Hit[]> {
    const { topK, filter } = this.settings;
    return collection.keywordSearch(query, { k: topK, ...(filter ? { filter } : {}) });
  }
}
