import type { DocumentInterface } from '@langchain/core/documents';
import { BatchFunction } from '@sage/kernel';
import { z } from 'zod';
import { parseConfig } from '../config.js';
import type { Document } from '../contracts.js';
import { checkLangChainDocument, langChainDocumentId } from './document-id.js';

const OPERATOR = 'LangChainLoaderSource';

/** A LangChain document loader: `BaseDocumentLoader` (`load()`), or one that also streams (`lazyLoad()`). */
export interface LangChainDocumentLoader {
  load(): Promise<DocumentInterface[]>;
  lazyLoad?(): AsyncIterable<DocumentInterface>;
}

export interface LangChainLoaderSourceConfig {
  loader: LangChainDocumentLoader;
  /** Use `lazyLoad()` when the loader has it (documents flow as they are read); default true. */
  lazy?: boolean;
}

const schema = z.strictObject({
  loader: z.custom<LangChainDocumentLoader>(
    (value) => typeof value === 'object' && value !== null && typeof (value as LangChainDocumentLoader).load === 'function',
    { message: 'expected a LangChain document loader (with load())' },
  ),
  lazy: z.boolean().default(true),
});

/**
 * A bounded source over a LangChain document loader: emits one `Document` record `{ id, text, metadata }` per
 * loaded document, then ends. `id` is `metadata.id`, else `doc.id`, else a stable hash of the content.
 * Feed it to a chunker and an `IndexWriter` to index what any LangChain loader reads. With parallelism p,
 * every instance loads and instance i emits documents i, i+p, … so each document is emitted once.
 *
 * ```ts
 * env.fromBatch(LangChainLoaderSource, { loader: new CheerioWebBaseLoader(url) }).flatMap(RecursiveChunker, …).sink(IndexWriter, …)
 * ```
 */
export class LangChainLoaderSource extends BatchFunction<Document, LangChainLoaderSourceConfig> {
  private readonly settings: z.infer<typeof schema>;
  private iterator: AsyncIterator<DocumentInterface> | undefined;
  private index = 0;

  constructor(config?: LangChainLoaderSourceConfig) {
    super(config);
    this.settings = parseConfig(OPERATOR, schema, config);
  }

  override close(): void {
    // A job stopped early: let a lazy loader free what it holds (files, connections). Not awaited: a
    // generator still waiting for its next document runs its cleanup once that wait ends.
    // Through a promise: a hand-written iterator's return() may not give one, or may throw.
    const iterator = this.iterator;
    this.iterator = undefined;
    Promise.resolve()
      .then(() => iterator?.return?.())
      .catch(() => {});
  }

  async execute(): Promise<Document | undefined> {
    this.iterator ??= await this.start();
    const parallelism = this.ctx?.parallelism ?? 1;
    const parallelIndex = this.ctx?.parallelIndex ?? 0;
    for (;;) {
      const next = await this.iterator.next();
      if (next.done) return undefined;
      const index = this.index++;
      if (index % parallelism !== parallelIndex) continue;
      const doc = checkLangChainDocument(OPERATOR, next.value, index);
      return { id: langChainDocumentId(doc), text: doc.pageContent, metadata: { ...doc.metadata } };
    }
  }

  private async start(): Promise<AsyncIterator<DocumentInterface>> {
    const { loader, lazy } = this.settings;
    if (lazy && typeof loader.lazyLoad === 'function') return loader.lazyLoad()[Symbol.asyncIterator]();
    const docs = await loader.load();
    if (!Array.isArray(docs)) throw new TypeError(`${OPERATOR}: load() returned ${typeof docs}, not a list of documents`);
    return (async function* () {
      yield* docs;
    })();
  }
}
