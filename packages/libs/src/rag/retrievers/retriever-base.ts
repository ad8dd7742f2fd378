/**
 * What every retriever shares: the config (collection, topK, filter, database path, embedder), the shared
 * database lease and the collection, the query record in and `retrievalResults` + timing out.
 */
import { ValidationError } from '@sage/common';
import { MapFunction } from '@sage/kernel';
import type { Collection, Filter, Hit } from '@sage/middleware';
import { z } from 'zod';
import { checkRecord, type QueryRecord, queryRecordSchema, type RetrievedDocument, type RetrievedRecord, withTiming } from '../contracts.js';
import { type EmbedderSpec, resolveCollectionEmbedder } from '../embedder-resolution.js';
import type { Embedder } from '../embeddings/embedder.js';
import { acquireDatabase, type DatabaseLease } from '../knowledge-base.js';

export const retrieverOptions = {
  /** Collection to search. */
  collection: z.string().min(1),
  /** Results per query. */
  topK: z.number().int().min(1).max(1000).default(4),
  /** Database directory; default `SAGE_DB_PATH` or `./data/kb`. */
  dbPath: z.string().min(1).optional(),
  /** Metadata filter (Qdrant/Mongo syntax, see docs/sage-db.md). */
  filter: z.record(z.string(), z.unknown()).optional(),
};

export interface RetrieverConfig {
  collection: string;
  topK?: number;
  dbPath?: string;
  filter?: Filter;
}

/** A question as a string (a FileSource line) or a query record. */
export type RetrieverInput = string | QueryRecord;

export abstract class RetrieverBase<Config extends RetrieverConfig> extends MapFunction<RetrieverInput, RetrievedRecord, Config> {
  protected lease: DatabaseLease | undefined;
  protected target: Collection | undefined;

  protected abstract readonly operatorName: string;
  protected abstract readonly settings: Required<Pick<RetrieverConfig, 'collection' | 'topK'>> & RetrieverConfig;

  override async open(): Promise<void> {
    const lease = await acquireDatabase(this.settings.dbPath);
    try {
      this.target = await lease.db.collection(this.settings.collection);
    } catch (error) {
      await lease.release();
      const hint = `build it with \`sage index build <dir> --collection ${this.settings.collection} --db ${lease.path}\` or an IndexWriter`;
      throw new ValidationError(`${this.operatorName}: ${(error as Error).message} in ${lease.path}; ${hint}`, { cause: error });
    }
    this.lease = lease;
  }

  override async close(): Promise<void> {
    await this.lease?.release();
    this.lease = undefined;
  }

  async execute(input: RetrieverInput): Promise<RetrievedRecord> {
    const record = toQueryRecord(this.operatorName, input);
    const started = performance.now();
    const hits = await this.retrieve(record.query, this.collection);
    const retrievalResults = hits.map(toDocument);
    return withTiming({ ...record, retrievalResults }, this.operatorName, performance.now() - started);
  }

  protected get collection(): Collection {
    if (this.target === undefined) throw new ValidationError(`${this.operatorName}: used before open()`);
    return this.target;
  }

  protected abstract retrieve(query: string, collection: Collection): Promise<Hit[]>;
}

/** A retriever that embeds the query with the collection's embedder (or the `embedder` option, which must match). */
export abstract class EmbeddingRetrieverBase<Config extends RetrieverConfig & { embedder?: EmbedderSpec }> extends RetrieverBase<Config> {
  protected abstract override readonly settings: Required<Pick<RetrieverConfig, 'collection' | 'topK'>> & RetrieverConfig & { embedder?: EmbedderSpec };
  private embedder: Embedder | undefined;

  override async open(): Promise<void> {
    await super.open();
    try {
      this.embedder = await resolveCollectionEmbedder(this.operatorName, this.collection.info(), this.settings.embedder);
    } catch (error) {
      await super.close(); // the kernel does not call close() after a failed open(): give the database back
      throw error;
    }
  }

  protected async embedQuery(query: string): Promise<Float32Array> {
    const [vector] = await this.embedder!.embed([query]);
    return vector!;
  }
}

export function toQueryRecord(operator: string, input: RetrieverInput): QueryRecord {
  if (typeof input === 'string') return { query: input };
  return checkRecord(operator, queryRecordSchema, input);
}

function toDocument(hit: Hit): RetrievedDocument {
  return { id: hit.id, text: hit.text ?? '', score: hit.score, metadata: { ...hit.metadata } };
}
