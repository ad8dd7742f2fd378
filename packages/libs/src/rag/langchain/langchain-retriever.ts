import type { RunnableConfig, RunnableInterface } from '@langchain/core/runnables';
import type { DocumentInterface } from '@langchain/core/documents';
import { MapFunction } from '@sage/kernel';
import { z } from 'zod';
import { parseConfig } from '../config.js';
import type { RetrievedDocument, RetrievedRecord } from '../contracts.js';
import { withTiming } from '../contracts.js';
import { type RetrieverInput, toQueryRecord } from '../retrievers/retriever-base.js';
import { checkLangChainDocument, langChainDocumentId } from './document-id.js';
import { JobStop } from './job-stop.js';

const OPERATOR = 'LangChainRetriever';

export interface LangChainRetrieverConfig {
  /** A LangChain retriever (`BaseRetriever` or anything whose `invoke(query)` resolves to documents). */
  retriever: RunnableInterface<string, DocumentInterface[]>;
  /** Keep at most this many documents; default all the retriever returns. */
  topK?: number;
  /** LangChain call options for every query (callbacks, tags, timeout, …). */
  runConfig?: RunnableConfig;
}

const schema = z.strictObject({
  retriever: z.custom<RunnableInterface<string, DocumentInterface[]>>(
    (value) => typeof value === 'object' && value !== null && typeof (value as RunnableInterface).invoke === 'function',
    { message: 'expected a LangChain retriever (with invoke(query))' },
  ),
  topK: z.number().int().min(1).optional(),
  runConfig: z.record(z.string(), z.unknown()).optional(),
});

/**
 * A LangChain retriever as a SAGE retriever: `{ query }` (or a string) in, `retrievalResults` out in the
 * retriever's order. `id` is `metadata.id`, else `doc.id`, else a stable hash of the content; `score` is
 * `metadata.score` (or `metadata.relevanceScore`, as LangChain rerankers write it) when it is a number,
 * else `1 / rank` (1, 0.5, 0.33… best first). The document's metadata is kept. Async: give the operator a
 * `concurrency` option to keep several queries in flight; queries still running when the job stops are aborted.
 */
export class LangChainRetriever extends MapFunction<RetrieverInput, RetrievedRecord, LangChainRetrieverConfig> {
  private readonly settings: z.infer<typeof schema>;
  private readonly stop = new JobStop(OPERATOR);

  constructor(config?: LangChainRetrieverConfig) {
    super(config);
    this.settings = parseConfig(OPERATOR, schema, config);
  }

  override open(): void {
    this.stop.arm();
  }

  override close(): void {
    this.stop.fire();
  }

  async execute(input: RetrieverInput): Promise<RetrievedRecord> {
    const record = toQueryRecord(OPERATOR, input);
    const { retriever, topK, runConfig } = this.settings;
    const started = performance.now();
    const docs = await retriever.invoke(record.query, this.stop.config(runConfig));
    if (!Array.isArray(docs)) throw new TypeError(`${OPERATOR}: the retriever returned ${typeof docs}, not a list of documents`);
    const kept = topK === undefined ? docs : docs.slice(0, topK);
    const retrievalResults = kept.map((doc, rank) => toRetrievedDocument(checkLangChainDocument(OPERATOR, doc, rank), rank));
    return withTiming({ ...record, retrievalResults }, OPERATOR, performance.now() - started);
  }
}

function toRetrievedDocument(doc: DocumentInterface, rank: number): RetrievedDocument {
  const metadata: Record<string, unknown> = { ...doc.metadata };
  const reported = [metadata.score, metadata.relevanceScore].find((value) => typeof value === 'number' && Number.isFinite(value));
  return { id: langChainDocumentId(doc), text: doc.pageContent, score: (reported as number | undefined) ?? 1 / (rank + 1), metadata };
}
