import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BaseDocumentLoader } from '@langchain/core/document_loaders/base';
import { Document as LCDocument } from '@langchain/core/documents';
import { BaseRetriever } from '@langchain/core/retrievers';
import { RunnableLambda, RunnableSequence } from '@langchain/core/runnables';
import { ValidationError } from '@sage/common';
import { LocalEnvironment } from '@sage/kernel';
import { collect, runOperator } from '@sage/kernel/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Document, RetrievedRecord } from '../contracts.js';
import { IndexWriter } from '../indexing/index-writer.js';
import { langChainDocumentId } from './document-id.js';
import { LangChainLoaderSource } from './langchain-loader-source.js';
import { LangChainRetriever } from './langchain-retriever.js';
import { LangChainRunnable } from './langchain-runnable.js';
import { SageRetriever } from './sage-retriever.js';

/** A LangChain retriever over a fixed list: documents containing a word of the query, in list order. */
class KeywordRetriever extends BaseRetriever {
  lc_namespace = ['test', 'retrievers'];
  constructor(private readonly docs: LCDocument[]) {
    super();
  }
  override async _getRelevantDocuments(query: string): Promise<LCDocument[]> {
    const words = query.toLowerCase().split(/\W+/).filter((word) => word.length > 2);
    return this.docs.filter((doc) => words.some((word) => doc.pageContent.toLowerCase().includes(word)));
  }
}

class ArrayLoader extends BaseDocumentLoader {
  loads = 0;
  constructor(private readonly docs: unknown[]) {
    super();
  }
  override async load(): Promise<LCDocument[]> {
    this.loads++;
    return this.docs as LCDocument[];
  }
}

class LazyLoader extends ArrayLoader {
  yielded = 0;
  finished = false;
  async *lazyLoad(): AsyncGenerator<LCDocument> {
    try {
      for (const doc of await this.load()) {
        this.yielded++;
        yield doc;
      }
    } finally {
      this.finished = true;
    }
  }
}

/** Pages without end, one every few milliseconds. */
class EndlessLoader extends BaseDocumentLoader {
  finished = false;
  override async load(): Promise<LCDocument[]> {
    throw new Error('endless: use lazyLoad()');
  }
  async *lazyLoad(): AsyncGenerator<LCDocument> {
    try {
      for (let page = 0; ; page++) {
        await new Promise((resolve) => setTimeout(resolve, 2));
        yield new LCDocument({ pageContent: `page ${page}` });
      }
    } finally {
      this.finished = true;
    }
  }
}

async function waitUntil(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function runSource(loader: BaseDocumentLoader, lazy?: boolean, parallelism = 1): Promise<Document[]> {
  const env = new LocalEnvironment('langchain-loader-test', { logLevel: 'warn', handleSignals: false });
  const output = collect(env.fromBatch(LangChainLoaderSource, { loader, ...(lazy === undefined ? {} : { lazy }) }, { parallelism }));
  await env.submit({ autostop: true });
  return output;
}

describe('LangChainRunnable', () => {
  it('merges an object result into the record, stores any other result under `output`, and times the call', async () => {
    const merge = await runOperator('map', LangChainRunnable, {
      records: [{ query: 'a', keep: 1 }, { query: 'bb' }],
      config: { runnable: RunnableLambda.from((record: { query: string }) => ({ length: record.query.length })) },
    });
    expect(merge.output).toMatchObject([{ query: 'a', keep: 1, length: 1 }, { query: 'bb', length: 2 }]);
    expect(merge.output[0].timings.LangChainRunnable).toBeGreaterThanOrEqual(0);

    const stored = await runOperator('map', LangChainRunnable, {
      records: [{ query: 'x' }, 'plain'],
      config: { runnable: RunnableLambda.from((input: unknown) => JSON.stringify(input)), name: 'stringify' },
    });
    expect(stored.output[0]).toMatchObject({ query: 'x', output: '{"query":"x"}' });
    expect(stored.output[0].timings.stringify).toBeGreaterThanOrEqual(0);
    expect(stored.output[1]).toMatchObject({ input: 'plain', output: '"plain"' });
  });

  it('runs a RunnableSequence with custom input and output mappings, several invocations in flight', async () => {
    let inFlight = 0;
    let most = 0;
    const slowUpper = RunnableLambda.from(async (text: string) => {
      most = Math.max(most, ++inFlight);
      await new Promise((resolve) => setTimeout(resolve, 20));
      inFlight--;
      return text.toUpperCase();
    });
    const chain = RunnableSequence.from([slowUpper, (text: string) => `${text}!`]);
    const { output } = await runOperator('map', LangChainRunnable, {
      records: ['a', 'b', 'c', 'd'].map((query) => ({ query })),
      config: {
        runnable: chain,
        input: (record: { query: string }) => record.query,
        output: (result: string, record: { query: string }) => ({ ...record, answer: result }),
      },
      options: { concurrency: 4 },
    });
    expect(output.map((record) => record.answer).sort()).toEqual(['A!', 'B!', 'C!', 'D!']);
    expect(most).toBeGreaterThan(1);
  });

  it('emits nothing for empty input, and fails the job when the runnable throws', async () => {
    const empty = await runOperator('map', LangChainRunnable, { records: [], config: { runnable: RunnableLambda.from((x: unknown) => x) } });
    expect(empty.output).toEqual([]);
    const failing = RunnableLambda.from((): string => {
      throw new Error('model exploded');
    });
    await expect(runOperator('map', LangChainRunnable, { records: [{ query: 'q' }], config: { runnable: failing } })).rejects.toThrow(/model exploded/);
  });

  it('validates its config, naming the class and the option', () => {
    expect(() => new LangChainRunnable()).toThrow(/LangChainRunnable: option "runnable"/);
    expect(() => new LangChainRunnable({ runnable: {} as never })).toThrow(ValidationError);
    expect(() => new LangChainRunnable({ runnable: {} as never })).toThrow(/LangChainRunnable: option "runnable": expected a LangChain Runnable/);
    const runnable = RunnableLambda.from((x: unknown) => x);
    expect(() => new LangChainRunnable({ runnable, output: 'merge' as never })).toThrow(/LangChainRunnable: option "output"/);
    expect(() => new LangChainRunnable({ runnable, ouput: () => 1 } as never)).toThrow(/LangChainRunnable: .*ouput/);
  });
});

describe('LangChainRetriever', () => {
  const docs = [
    new LCDocument({ pageContent: 'Reset your password in the settings.', metadata: { id: 'pw', score: 0.9, topic: 'account' } }),
    new LCDocument({ pageContent: 'Orders ship within two days.', id: 'ship' }),
    new LCDocument({ pageContent: 'Refunds take a week; orders can be cancelled.', metadata: { source: 'faq.md' } }),
  ];

  it('turns the retriever documents into retrievalResults: ids, scores and metadata', async () => {
    const { output } = await runOperator<unknown, RetrievedRecord>('map', LangChainRetriever, {
      records: ['password', { query: 'when do orders ship', references: ['two days'] }, { query: 'nothing matches zzz' }],
      config: { retriever: new KeywordRetriever(docs) },
    });
    expect(output[0]!.retrievalResults).toEqual([
      { id: 'pw', text: docs[0]!.pageContent, score: 0.9, metadata: { id: 'pw', score: 0.9, topic: 'account' } },
    ]);
    const orders = output[1]!;
    expect(orders.references).toEqual(['two days']);
    expect(orders.retrievalResults.map((result) => result.id)).toEqual(['ship', langChainDocumentId(docs[2]!)]);
    expect(orders.retrievalResults.map((result) => result.score)).toEqual([1, 0.5]); // by rank
    expect(orders.retrievalResults[1]!.id).toMatch(/^lc-[0-9a-f]{16}$/);
    expect(orders.retrievalResults[1]!.metadata).toEqual({ source: 'faq.md' });
    expect(orders.timings?.LangChainRetriever).toBeGreaterThanOrEqual(0);
    expect(output[2]!.retrievalResults).toEqual([]);
  });

  it('keeps topK documents, and the content hash is stable', async () => {
    const { output } = await runOperator<string, RetrievedRecord>('map', LangChainRetriever, {
      records: ['orders'],
      config: { retriever: new KeywordRetriever(docs), topK: 1 },
    });
    expect(output[0]!.retrievalResults.map((result) => result.id)).toEqual(['ship']);
    expect(langChainDocumentId(new LCDocument({ pageContent: 'same' }))).toBe(langChainDocumentId(new LCDocument({ pageContent: 'same' })));
  });

  it('fails the job on an error from upstream', async () => {
    async function* upstream() {
      yield 'password';
      throw new Error('upstream broke');
    }
    const run = runOperator('map', LangChainRetriever, { records: upstream(), config: { retriever: new KeywordRetriever(docs) } });
    await expect(run).rejects.toThrow(/upstream broke/);
  });

  it('validates its config and records, naming the class and the option or field', async () => {
    expect(() => new LangChainRetriever()).toThrow(/LangChainRetriever: option "retriever"/);
    expect(() => new LangChainRetriever({ retriever: undefined as never })).toThrow(/LangChainRetriever: option "retriever"/);
    expect(() => new LangChainRetriever({ retriever: new KeywordRetriever(docs), topK: 0 })).toThrow(/LangChainRetriever: option "topK"/);
    const run = runOperator('map', LangChainRetriever, { records: [{ question: 'q' }], config: { retriever: new KeywordRetriever(docs) } });
    await expect(run).rejects.toThrow(/LangChainRetriever: record.query/);
  });
});

describe('LangChainLoaderSource', () => {
  const loaded = [
    new LCDocument({ pageContent: 'first page', metadata: { source: 'a.pdf', page: 1 } }),
    new LCDocument({ pageContent: 'second page', metadata: { source: 'a.pdf', page: 2, id: 'a-2' } }),
  ];

  it('emits one Document record per loaded document, from load() or lazyLoad()', async () => {
    const eager = new ArrayLoader(loaded);
    const documents = await runSource(eager);
    expect(documents).toEqual([
      { id: langChainDocumentId(loaded[0]!), text: 'first page', metadata: { source: 'a.pdf', page: 1 } },
      { id: 'a-2', text: 'second page', metadata: { source: 'a.pdf', page: 2, id: 'a-2' } },
    ]);
    expect(eager.loads).toBe(1);

    const lazy = new LazyLoader(loaded);
    expect(await runSource(lazy)).toEqual(documents);
    expect(lazy.yielded).toBe(2);
    expect(lazy.finished).toBe(true);
    expect(await runSource(new LazyLoader(loaded), false)).toEqual(documents);
    expect(await runSource(new ArrayLoader([]))).toEqual([]);
  });

  it('emits every document once with parallelism 2', async () => {
    const many = Array.from({ length: 7 }, (_, page) => new LCDocument({ pageContent: `page ${page}` }));
    const documents = await runSource(new ArrayLoader(many), undefined, 2);
    expect(documents.map((document) => document.text).sort()).toEqual(many.map((doc) => doc.pageContent).sort());
  });

  it('stops an endless lazy loader when the job is stopped, letting it clean up', async () => {
    const loader = new EndlessLoader();
    const env = new LocalEnvironment('langchain-loader-endless', { logLevel: 'warn', handleSignals: false });
    const documents = collect(env.fromBatch(LangChainLoaderSource, { loader }));
    await env.submit();
    await waitUntil(() => documents.length >= 3);
    expect((await env.stop())?.status).toBe('stopped');
    await waitUntil(() => loader.finished);
    expect(documents.slice(0, 3).map((document) => document.text)).toEqual(['page 0', 'page 1', 'page 2']);
  });

  it('feeds an IndexWriter: a LangChain loader indexed into SageDB, searchable by SageRetriever', async () => {
    const dbPath = mkdtempSync(join(tmpdir(), 'sage-langchain-loader-'));
    try {
      const env = new LocalEnvironment('langchain-loader-index', { logLevel: 'warn', handleSignals: false });
      env.fromBatch(LangChainLoaderSource, { loader: new ArrayLoader(loaded) }).sink(IndexWriter, { collection: 'pages', dbPath, embedder: 'hashing-64' });
      await env.submit({ autostop: true });
      const retriever = new SageRetriever({ collection: 'pages', dbPath, mode: 'bm25', topK: 1 });
      const [top] = await retriever.invoke('second');
      expect(top?.metadata.id).toBe('a-2');
      await retriever.close();
    } finally {
      rmSync(dbPath, { recursive: true, force: true });
    }
  });

  it('fails on something that is not a document, naming the class and the document', async () => {
    await expect(runSource(new ArrayLoader([loaded[0], { text: 'no pageContent' }]))).rejects.toThrow(
      /LangChainLoaderSource: document 1: expected a LangChain Document/,
    );
    expect(() => new LangChainLoaderSource({ loader: {} as never })).toThrow(/LangChainLoaderSource: option "loader"/);
    expect(() => new LangChainLoaderSource({ loader: new ArrayLoader([]), lazy: 'yes' as never })).toThrow(/LangChainLoaderSource: option "lazy"/);
  });
});

describe('SageRetriever', () => {
  const corpus: Document[] = [
    { id: 'pw', text: 'To reset your password open settings and choose reset password.', metadata: { topic: 'account' } },
    { id: 'ship', text: 'Orders ship within two business days from our warehouse.', metadata: { topic: 'orders' } },
    { id: 'refund', text: 'Refunds are paid back to the original card within a week.', metadata: { topic: 'orders' } },
    { id: 'whale', text: 'The white whale swam far beyond the ship into the cold ocean.', metadata: { topic: 'novel' } },
    { id: 'email', text: 'Change the email address of your account in the profile settings.', metadata: { topic: 'account' } },
  ];
  let dbPath: string;
  const open: SageRetriever[] = [];
  const retriever = (options: Omit<ConstructorParameters<typeof SageRetriever>[0], 'dbPath' | 'collection'>) => {
    const created = new SageRetriever({ collection: 'faq', dbPath, ...options });
    open.push(created);
    return created;
  };

  beforeAll(async () => {
    dbPath = mkdtempSync(join(tmpdir(), 'sage-langchain-retriever-'));
    await runOperator('sink', IndexWriter, { records: corpus, config: { collection: 'faq', dbPath, embedder: 'hashing-256' } });
  });
  afterAll(async () => {
    for (const created of open) await created.close();
    rmSync(dbPath, { recursive: true, force: true });
  });

  it.each([
    ['dense', 'how do I reset my password', 'pw'],
    ['bm25', 'whale ocean ship', 'whale'],
    ['hybrid', 'when will my orders ship', 'ship'],
  ] as const)('returns the right top document in a RunnableSequence (%s)', async (mode, question, expected) => {
    const chain = RunnableSequence.from([
      (input: { question: string }) => input.question,
      retriever({ mode, topK: 3 }),
      (docs: LCDocument[]) => docs.map((doc) => ({ id: doc.id, metadataId: doc.metadata.id, score: doc.metadata.score, topic: doc.metadata.topic })),
    ]);
    const results = await chain.invoke({ question });
    expect(results.length).toBeGreaterThanOrEqual(2); // BM25 returns only documents sharing a term
    expect(results.length).toBeLessThanOrEqual(3);
    expect(results[0]).toMatchObject({ id: expected, metadataId: expected, topic: corpus.find((doc) => doc.id === expected)!.metadata.topic });
    expect(results[0]!.score).toBeGreaterThanOrEqual(results[1]!.score);
  });

  it('returns LangChain Documents with the text, honours filters, and answers concurrent queries from one open collection', async () => {
    const filtered = retriever({ mode: 'dense', topK: 5, filter: { topic: 'orders' } });
    const [orders, again] = await Promise.all([filtered.invoke('reset password settings'), filtered.invoke('card')]);
    expect(orders!.map((doc) => doc.metadata.id).sort()).toEqual(['refund', 'ship']);
    expect(again).toHaveLength(2);
    expect(orders![0]).toBeInstanceOf(LCDocument);
    expect(orders!.every((doc) => corpus.some((source) => source.text === doc.pageContent))).toBe(true);
    await filtered.close();
    expect(await filtered.invoke('refunds card')).toHaveLength(2); // reopens after close()
  });

  it('validates its options, and names itself when the collection or embedder is wrong', async () => {
    expect(() => new SageRetriever({ collection: 'faq', mode: 'sparse' as never })).toThrow(/SageRetriever: option "mode"/);
    expect(() => new SageRetriever({ collection: 'faq', mode: 'bm25', topK: 0 })).toThrow(/SageRetriever: option "topK"/);
    expect(() => new SageRetriever({ collection: 'faq', mode: 'bm25', embedder: 'hashing-256' })).toThrow(
      /SageRetriever: option "embedder": not an option of mode "bm25"/,
    );
    expect(() => new SageRetriever({ collection: 'faq', mode: 'dense', fusion: 'rrf' })).toThrow(/SageRetriever: option "fusion"/);
    await expect(retriever({ mode: 'dense', collection: 'nope' } as never).invoke('q')).rejects.toThrow(
      /^SageRetriever \(mode dense\): collection "nope" does not exist.*sage index build/,
    );
    await expect(retriever({ mode: 'hybrid', embedder: 'hashing-128' }).invoke('q')).rejects.toThrow(
      /SageRetriever \(mode hybrid\): .*indexed with embedder "hashing-256", not "hashing-128"/,
    );
  });
});
