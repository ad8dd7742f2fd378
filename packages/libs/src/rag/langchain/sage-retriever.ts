import type { CallbackManagerForRetrieverRun } from '@langchain/core/callbacks/manager';
import { Document } from '@langchain/core/documents';
import { BaseRetriever, type BaseRetrieverInput } from '@langchain/core/retrievers';
import { ValidationError } from '@sage/common';
import type { Filter, Fusion } from '@sage/middleware';
import { z } from 'zod';
import { parseConfig } from '../config.js';
import { type EmbedderSpec, embedderSpecSchema } from '../embedder-resolution.js';
import { BM25Retriever } from '../retrievers/bm25-retriever.js';
import { DenseRetriever } from '../retrievers/dense-retriever.js';
import { HybridRetriever } from '../retrievers/hybrid-retriever.js';
import { retrieverOptions } from '../retrievers/retriever-base.js';

const OPERATOR = 'SageRetriever';

export type SageRetrieverMode = 'dense' | 'bm25' | 'hybrid';

export interface SageRetrieverOptions extends BaseRetrieverInput {
  /** The SageDB collection to search (built by `sage index build` or an IndexWriter). */
  collection: string;
  /** `dense` (DenseRetriever), `bm25` (BM25Retriever) or `hybrid` (HybridRetriever). */
  mode: SageRetrieverMode;
  /** Documents per query; default 4. */
  topK?: number;
  /** Database directory; default `SAGE_DB_PATH` or `./data/kb`. */
  dbPath?: string;
  /** Metadata filter (Qdrant/Mongo syntax, see docs/sage-db.md). */
  filter?: Filter;
  /** dense, hybrid: the query embedder; default the one recorded with the collection. */
  embedder?: EmbedderSpec;
  /** dense: HNSW search list size. */
  efSearch?: number;
  /** hybrid: `rrf` (default) or `weighted`. */
  fusion?: Fusion;
  /** hybrid: RRF constant; default 60. */
  rrfK?: number;
  /** hybrid, weighted fusion: share of the vector side; default 0.5. */
  vectorWeight?: number;
  /** hybrid: candidates from each side before fusing. */
  candidates?: number;
}

const schema = z.strictObject({
  ...retrieverOptions,
  mode: z.enum(['dense', 'bm25', 'hybrid']),
  embedder: embedderSpecSchema.optional(),
  efSearch: z.number().int().min(1).optional(),
  fusion: z.enum(['rrf', 'weighted']).optional(),
  rrfK: z.number().positive().optional(),
  vectorWeight: z.number().min(0).max(1).optional(),
  candidates: z.number().int().min(1).optional(),
  callbacks: z.unknown().optional(),
  tags: z.array(z.string()).optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
  verbose: z.boolean().optional(),
});
type Settings = z.infer<typeof schema>;

/** Which options each mode takes besides the common ones. */
const MODE_OPTIONS: Record<SageRetrieverMode, readonly string[]> = {
  dense: ['embedder', 'efSearch'],
  bm25: [],
  hybrid: ['embedder', 'fusion', 'rrfK', 'vectorWeight', 'candidates'],
};
const COMMON = new Set(['collection', 'topK', 'dbPath', 'filter']);
const INNER = { dense: 'DenseRetriever', bm25: 'BM25Retriever', hybrid: 'HybridRetriever' } as const;

type Operator = DenseRetriever | BM25Retriever | HybridRetriever;

/**
 * A SageDB collection as a LangChain retriever, usable wherever LangChain takes one (`invoke(query)`, a
 * `RunnableSequence`, a chain). It runs the SAGE retrievers themselves (`DenseRetriever`, `BM25Retriever`,
 * `HybridRetriever`: same search, same embedder rules) and returns LangChain `Document`s, best first, with
 * `metadata: { ...chunkMetadata, id, score }` and `id`.
 *
 * The database opens on the first query and is shared with the SAGE operators of the process (see
 * `acquireDatabase`); call `close()` when done to release it.
 *
 * ```ts
 * const retriever = new SageRetriever({ collection: 'docs', mode: 'hybrid', topK: 5 });
 * const chain = RunnableSequence.from([(input: { question: string }) => input.question, retriever, formatDocs, prompt, model]);
 * ```
 */
export class SageRetriever extends BaseRetriever {
  lc_namespace = ['sage', 'retrievers'];
  readonly collection: string;
  readonly mode: SageRetrieverMode;
  readonly topK: number;
  readonly #settings: Settings;
  #opening: Promise<Operator> | undefined;

  static override lc_name(): string {
    return OPERATOR;
  }

  constructor(options: SageRetrieverOptions) {
    const settings = parseConfig(OPERATOR, schema, options);
    const { callbacks, tags, metadata, verbose } = options;
    super({ callbacks, tags, metadata, verbose });
    const allowed = new Set(MODE_OPTIONS[settings.mode]);
    const foreign = [...MODE_OPTIONS.dense, ...MODE_OPTIONS.hybrid].find((key) => !allowed.has(key) && options[key as keyof SageRetrieverOptions] !== undefined);
    if (foreign !== undefined) {
      throw new ValidationError(`${OPERATOR}: option "${foreign}": not an option of mode "${settings.mode}"`, {
        details: { owner: OPERATOR, option: foreign },
      });
    }
    this.#settings = settings;
    this.collection = settings.collection;
    this.mode = settings.mode;
    this.topK = settings.topK;
  }

  /** The mode's SAGE retriever, opened once (again after `close()`). */
  #operator(): Promise<Operator> {
    if (this.#opening === undefined) {
      const opening = this.#openOperator();
      this.#opening = opening;
      opening.catch(() => {
        if (this.#opening === opening) this.#opening = undefined;
      });
    }
    return this.#opening;
  }

  async #openOperator(): Promise<Operator> {
    const { mode } = this.#settings;
    const config: Record<string, unknown> = {};
    for (const key of [...COMMON, ...MODE_OPTIONS[mode]]) {
      const value = this.#settings[key as keyof Settings];
      if (value !== undefined) config[key] = value;
    }
    const operator =
      mode === 'dense'
        ? new DenseRetriever(config as never)
        : mode === 'bm25'
          ? new BM25Retriever(config as never)
          : new HybridRetriever(config as never);
    try {
      await operator.open();
    } catch (error) {
      throw renamed(error, INNER[mode]);
    }
    return operator;
  }

  override async _getRelevantDocuments(query: string, _runManager?: CallbackManagerForRetrieverRun): Promise<Document[]> {
    const operator = await this.#operator();
    let record: Awaited<ReturnType<Operator['execute']>>;
    try {
      record = await operator.execute({ query });
    } catch (error) {
      throw renamed(error, INNER[this.#settings.mode]);
    }
    return record.retrievalResults.map(
      (result) => new Document({ pageContent: result.text, metadata: { ...result.metadata, id: result.id, score: result.score }, id: result.id }),
    );
  }

  /** Releases the database (it reopens on the next query). */
  async close(): Promise<void> {
    const opening = this.#opening;
    this.#opening = undefined;
    const operator = await opening?.catch(() => undefined);
    await operator?.close();
  }
}

/** The inner retriever's errors, said as SageRetriever's. */
function renamed(error: unknown, inner: string): unknown {
  if (!(error instanceof ValidationError) || !error.message.startsWith(`${inner}: `)) return error;
  const message = `${OPERATOR} (mode ${INNER_MODE[inner]}): ${error.message.slice(inner.length + 2)}`;
  return new ValidationError(message, { cause: error, details: { ...error.details, owner: OPERATOR } });
}
const INNER_MODE: Record<string, SageRetrieverMode> = { DenseRetriever: 'dense', BM25Retriever: 'bm25', HybridRetriever: 'hybrid' };
