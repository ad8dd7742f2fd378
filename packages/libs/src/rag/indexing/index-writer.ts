import { ValidationError } from '@sage/common';
import { SinkFunction } from '@sage/kernel';
import type { Collection, IndexKind, Metadata, MetadataValue } from '@sage/middleware';
import { z } from 'zod';
import { parseConfig } from '../config.js';
import { checkRecord, type Document, documentSchema } from '../contracts.js';
import type { Embedder } from '../embeddings/embedder.js';
import { type EmbedderSpec, embedderSpecSchema, recordableEmbedderConfig, sharedEmbedder } from '../embedder-resolution.js';
import { acquireDatabase, type DatabaseLease } from '../knowledge-base.js';

export interface IndexWriterConfig {
  /** Collection to write; created on first use with the embedder's dimension. */
  collection: string;
  /** Database directory; default `SAGE_DB_PATH` or `./data/kb`. */
  dbPath?: string;
  /** Default `use-lite`; must match the embedder an existing collection was made with. */
  embedder?: EmbedderSpec;
  /** Documents embedded and upserted together; default 64. */
  batchSize?: number;
  /** Index of a new collection; default `auto` (exact while small, HNSW past 20,000 chunks). */
  index?: IndexKind;
  /** Called after each batch is stored with the running total (for progress bars). */
  onProgress?: (written: number) => void;
}

const schema = z.strictObject({
  collection: z.string().min(1),
  dbPath: z.string().min(1).optional(),
  embedder: embedderSpecSchema.default('use-lite'),
  batchSize: z.number().int().min(1).max(100_000).default(64),
  index: z.enum(['flat', 'hnsw', 'ivf_flat', 'ivf_pq', 'auto']).default('auto'),
  onProgress: z.custom<(written: number) => void>((value) => typeof value === 'function', { message: 'expected a function' }).optional(),
});

/**
 * The indexing sink: embeds `Document` records (`{ id, text, metadata }`, e.g. chunks from `Chunker`) in
 * batches and upserts them (vector, text, metadata) into a SageDB collection, which then serves the
 * retrievers. Upserts by id, so indexing the same documents again replaces them rather than duplicating.
 * The collection records the embedder's name, so retrievers embed queries with the same model.
 */
export class IndexWriter extends SinkFunction<Document, IndexWriterConfig> {
  private readonly settings: z.infer<typeof schema>;
  private lease: DatabaseLease | undefined;
  private target: Collection | undefined;
  private embedder: Embedder | undefined;
  private pending: Document[] = [];
  private writtenCount = 0;

  constructor(config?: IndexWriterConfig) {
    super(config);
    this.settings = parseConfig('IndexWriter', schema, config);
  }

  /** Documents stored so far by this instance. */
  get written(): number {
    return this.writtenCount;
  }

  override async open(): Promise<void> {
    this.embedder = await sharedEmbedder(this.settings.embedder);
    const lease = await acquireDatabase(this.settings.dbPath);
    try {
      this.target = await this.openCollection(lease, this.embedder);
    } catch (error) {
      await lease.release();
      throw error;
    }
    this.lease = lease;
  }

  async execute(record: Document): Promise<void> {
    this.pending.push(checkRecord('IndexWriter', documentSchema, record));
    if (this.pending.length >= this.settings.batchSize) await this.flush();
  }

  override async close(): Promise<void> {
    try {
      if (this.target !== undefined) await this.flush();
    } finally {
      await this.lease?.release();
      this.lease = undefined;
    }
  }

  private async openCollection(lease: DatabaseLease, embedder: Embedder): Promise<Collection> {
    const { collection: name, index } = this.settings;
    const collection = await lease.db.getOrCreateCollection(name, {
      dimension: embedder.dimension,
      metric: 'cosine',
      index,
      metadata: { embedder: embedder.name, ...recordedEmbedder(this.settings.embedder) },
    });
    const info = collection.info();
    const recorded = info.metadata.embedder;
    if (recorded !== undefined && recorded !== embedder.name) {
      throw new ValidationError(`IndexWriter: collection "${name}" was indexed with embedder "${String(recorded)}", not "${embedder.name}" (use that embedder, or another collection)`);
    }
    if (info.dimension !== embedder.dimension) {
      throw new ValidationError(`IndexWriter: collection "${name}" holds ${info.dimension}-d vectors, embedder "${embedder.name}" makes ${embedder.dimension}-d ones`);
    }
    return collection;
  }

  private async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    const vectors = await this.embedder!.embed(batch.map((document) => document.text));
    await this.target!.upsert(
      batch.map((document, index) => ({ id: document.id, vector: vectors[index]!, text: document.text, metadata: storableMetadata(document.metadata) })),
    );
    this.writtenCount += batch.length;
    this.settings.onProgress?.(this.writtenCount);
  }
}

/** The metadata values SageDB stores (strings, finite numbers, booleans, string lists); others are left out. */
export function storableMetadata(metadata: Record<string, unknown>): Metadata {
  const out: Metadata = {};
  for (const [key, value] of Object.entries(metadata)) {
    const stored = storable(value);
    if (stored !== undefined) out[key] = stored;
  }
  return out;
}

function storable(value: unknown): MetadataValue | undefined {
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value as string[];
  return undefined;
}

function recordedEmbedder(spec: EmbedderSpec): { embedderConfig?: string } {
  const config = recordableEmbedderConfig(spec);
  return config === undefined ? {} : { embedderConfig: config };
}
