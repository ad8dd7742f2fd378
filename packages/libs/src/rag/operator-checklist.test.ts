/**
 * The operator checklist of STYLE.md section 6, run over the RAG operators on the real local runtime: empty
 * input, one record, many, an error from upstream, a never-ending source stopped early, and a user function
 * that throws (for the operators that take one). Each operator runs as a thin subclass that counts its
 * `close()` calls; the operators reading or writing SageDB must also give their database back.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Document as LCDocument } from '@langchain/core/documents';
import { BaseRetriever } from '@langchain/core/retrievers';
import { RunnableLambda } from '@langchain/core/runnables';
import { DataStream, LocalEnvironment } from '@sage/kernel';
import { collect, runOperator } from '@sage/kernel/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEADLINE_MS, type FunctionClass, probed, withDeadline } from '../__fixtures__/operator-probe.js';
import { Chunker } from './chunking/chunker.js';
import type { Document } from './contracts.js';
import { writeTinyCrossEncoder, writeTinyEmbeddingModel } from './embeddings/__fixtures__/tiny-onnx-model.js';
import { Evaluator } from './evaluators/evaluator.js';
import { AutoGenerator } from './generators/auto-generator.js';
import {
  type ChatCompletionsServer,
  completion,
  openEventStream,
  type Reply,
  sendJson,
  startChatCompletionsServer,
  useCleanLlmEnv,
} from './generators/__fixtures__/chat-completions-server.js';
import { writeTinyGguf } from './generators/__fixtures__/tiny-gguf.js';
import { ExtractiveGenerator } from './generators/extractive-generator.js';
import { LlamaCppGenerator } from './generators/llama-cpp-generator.js';
import { OpenAIGenerator } from './generators/openai-generator.js';
import { IndexWriter } from './indexing/index-writer.js';
import { acquireDatabase } from './knowledge-base.js';
import { LangChainRetriever } from './langchain/langchain-retriever.js';
import { LangChainRunnable } from './langchain/langchain-runnable.js';
import { ChatPromptor } from './promptors/chat-promptor.js';
import { QAPromptor } from './promptors/qa-promptor.js';
import { SummarizationPromptor } from './promptors/summarization-promptor.js';
import { CrossEncoderReranker } from './rerankers/cross-encoder-reranker.js';
import { EmbeddingReranker } from './rerankers/embedding-reranker.js';
import { LLMReranker } from './rerankers/llm-reranker.js';
import { BM25Retriever } from './retrievers/bm25-retriever.js';
import { DenseRetriever } from './retrievers/dense-retriever.js';
import { HybridRetriever } from './retrievers/hybrid-retriever.js';

type Rec = Record<string, any>;

/** What a case can read: the database directory of this file and a collection of its own (IndexWriter). */
interface Context {
  dbPath: string;
  collection: string;
}

interface OperatorCase {
  name: string;
  kind: 'map' | 'flatMap' | 'sink';
  fn: FunctionClass;
  config: (ctx: Context) => Rec;
  /** Input record number `i`; every record carries `seq: i` (for the order check). */
  record: (i: number) => Rec;
  /** Output records per input record. */
  perRecord: number;
  /** The field the operator adds (besides `timings`). */
  check: (output: Rec) => void;
  /** The key of the operator's `timings` entry; default `name`. */
  timingKey?: string;
  /** Reads or writes SageDB: must release the database when closed. */
  usesDb?: boolean;
  /** Configs whose user function throws, and the error the job fails with. */
  throwing?: Array<{ what: string; config: (ctx: Context) => Rec; error: RegExp }>;
}

const EMBEDDER = 'hashing-64';

const corpus: Document[] = [
  { id: 'pw', text: 'To reset your password open settings and choose reset password.', metadata: { topic: 'account' } },
  { id: 'ship', text: 'Orders ship within two business days from our warehouse.', metadata: { topic: 'orders' } },
  { id: 'refund', text: 'Refunds are paid back to the original card within a week.', metadata: { topic: 'orders' } },
];
const retrieved = corpus.map((document, rank) => ({ ...document, score: 1 - rank / 10 }));

const boom = (what: string) => () => {
  throw new Error(`${what} boom`);
};

/** The relevant document last, with the lowest retrieval score: only the judge's scores put it first. */
const shuffled = [
  { ...corpus[1]!, score: 0.9 },
  { ...corpus[2]!, score: 0.8 },
  { ...corpus[0]!, score: 0.1 },
];

/**
 * The chat-completions server of the LLM cases. Model `judge` rates the numbered documents LLMReranker lists:
 * 9 when a document mentions the password, 5 the card, else 2. Any other model echoes the last message, in
 * two pieces when the request asks for a stream; its usage counts the pieces as completion tokens.
 */
const chatReply: Reply = (request, response) => {
  const { model, messages, stream } = request.body;
  const last: string = messages.at(-1).content;
  if (model === 'judge') {
    const documents = [...last.matchAll(/^\[(\d+)\] (.*)$/gm)];
    const scores = documents.map(([, n, text]) => `${n}: ${text!.includes('password') ? 9 : text!.includes('card') ? 5 : 2}`);
    sendJson(response, 200, completion(model, scores.join('\n')));
  } else if (stream) {
    const events = openEventStream(response, model);
    events.send('echo: ');
    events.send(last);
    events.end({ prompt_tokens: 3, completion_tokens: 2 });
  } else {
    sendJson(response, 200, completion(model, `echo: ${last}`, { prompt_tokens: 3, completion_tokens: 1 }));
  }
};

/** A LangChain retriever over in-memory documents: what `search` finds for the query. */
class ListRetriever extends BaseRetriever {
  lc_namespace = ['sage', 'checklist'];
  constructor(private readonly search: (query: string) => LCDocument[]) {
    super();
  }
  override async _getRelevantDocuments(query: string): Promise<LCDocument[]> {
    return this.search(query);
  }
}

/** The corpus documents sharing a word (of three letters or more) with the query, in corpus order. */
const keywordSearch = (query: string): LCDocument[] => {
  const words = query.toLowerCase().split(/\W+/).filter((word) => word.length > 2);
  return corpus
    .filter((document) => words.some((word) => document.text.toLowerCase().includes(word)))
    .map((document) => new LCDocument({ pageContent: document.text, metadata: { id: document.id, ...document.metadata } }));
};

/** An echoing OpenAI-compatible endpoint on the local server; no key (it is not OpenAI's). */
const echoModel = (extra: Rec = {}) => ({ baseURL: chatServer.baseURL, model: 'echo', maxRetries: 0, ...extra });

/**
 * A generator answering through the echo model: `config(extra)` is its config with `extra` added to the OpenAI
 * options; `streamed` when the answer must arrive as a stream (two pieces).
 */
function generatorCase({
  config,
  streamed = false,
  ...rest
}: { name: string; fn: FunctionClass; config: (extra?: Rec) => Rec; streamed?: boolean; timingKey?: string }): OperatorCase {
  return {
    ...rest,
    kind: 'map',
    config: () => config(),
    record: (i) => ({ query: `question ${i}`, prompt: [{ role: 'user', content: `question ${i}` }], seq: i }),
    perRecord: 1,
    check: (output) => {
      expect(output.generated).toBe(`echo: question ${output.seq}`);
      expect(output.usage).toEqual({ promptTokens: 3, completionTokens: streamed ? 2 : 1 });
      expect(output.generator).toBe('openai:echo');
    },
    throwing: [{ what: 'onToken', config: () => config({ onToken: boom('onToken') }), error: /onToken boom/ }],
  };
}

const retriever = (name: string, fn: FunctionClass): OperatorCase => ({
  name,
  kind: 'map',
  fn,
  config: ({ dbPath }) => ({ collection: 'faq', dbPath, topK: 2 }),
  record: (i) => ({ query: 'how do I reset my password', seq: i }),
  perRecord: 1,
  check: (output) => {
    expect(output.retrievalResults.length).toBeGreaterThan(0); // BM25 returns only the chunks sharing a term
    expect(output.retrievalResults[0].id).toBe('pw');
  },
  usesDb: true,
});

const cases: OperatorCase[] = [
  {
    name: 'Chunker',
    kind: 'flatMap',
    fn: Chunker,
    config: () => ({ splitter: 'sentence', chunkSize: 45, overlapSentences: 0 }),
    // Two chunks each: the first two sentences span 44 characters, the third starts a new chunk.
    record: (i) => ({ id: `doc-${i}`, text: 'Green tea is steamed. Black tea is oxidised. Both come from one plant.', metadata: {}, seq: i }),
    perRecord: 2,
    check: (output) => expect(output.metadata).toMatchObject({ sourceId: `doc-${output.seq}` }),
  },
  {
    name: 'QAPromptor',
    kind: 'map',
    fn: QAPromptor,
    config: () => ({}),
    record: (i) => ({ query: `question ${i}`, retrievalResults: retrieved, seq: i }),
    perRecord: 1,
    check: (output) => expect(output.prompt.at(-1).content).toContain(`question ${output.seq}`),
  },
  {
    name: 'ChatPromptor',
    kind: 'map',
    fn: ChatPromptor,
    config: () => ({}),
    record: (i) => ({ query: `question ${i}`, history: [{ role: 'user', content: 'hi' }], retrievalResults: retrieved, seq: i }),
    perRecord: 1,
    check: (output) => {
      expect(output.prompt).toHaveLength(2);
      expect(output.prompt[1].content).toContain(`question ${output.seq}`);
    },
  },
  {
    name: 'SummarizationPromptor',
    kind: 'map',
    fn: SummarizationPromptor,
    config: () => ({}),
    record: (i) => ({ text: `Report number ${i}: all systems nominal.`, seq: i }),
    perRecord: 1,
    check: (output) => expect(output.prompt[0].content).toContain(`Report number ${output.seq}:`),
  },
  {
    name: 'ExtractiveGenerator',
    kind: 'map',
    fn: ExtractiveGenerator,
    config: () => ({}),
    record: (i) => ({ query: `how do I reset my password (${i})`, retrievalResults: retrieved, seq: i }),
    perRecord: 1,
    check: (output) => {
      expect(output.generated).toContain('reset password');
      expect(output.generator).toBe('extractive');
    },
  },
  {
    name: 'LlamaCppGenerator',
    kind: 'map',
    fn: LlamaCppGenerator,
    config: () => ({ modelPath: join(ggufModels, 'tiny.gguf'), maxTokens: 2, threads: 1 }),
    record: (i) => ({ query: `question ${i}`, prompt: [{ role: 'user', content: `question ${i}` }], seq: i }),
    perRecord: 1,
    check: (output) => {
      expect(output.usage.completionTokens).toBe(2); // the tiny model never ends an answer by itself
      expect(output.generator).toBe('llama.cpp:tiny');
    },
  },
  generatorCase({ name: 'OpenAIGenerator', fn: OpenAIGenerator, config: (extra) => echoModel(extra) }),
  generatorCase({
    name: 'OpenAIGenerator streaming',
    timingKey: 'OpenAIGenerator',
    fn: OpenAIGenerator,
    config: (extra) => echoModel({ stream: true, ...extra }),
    streamed: true,
  }),
  generatorCase({ name: 'AutoGenerator', fn: AutoGenerator, config: (extra) => ({ provider: 'openai', openai: echoModel(extra) }) }),
  {
    name: 'AutoGenerator extractive',
    timingKey: 'AutoGenerator',
    kind: 'map',
    fn: AutoGenerator,
    config: () => ({ provider: 'extractive' }),
    record: (i) => ({ query: `how do I reset my password (${i})`, retrievalResults: retrieved, seq: i }),
    perRecord: 1,
    check: (output) => {
      expect(output.generated).toContain('reset password');
      expect(output.generator).toBe('extractive');
    },
  },
  {
    name: 'Evaluator',
    kind: 'map',
    fn: Evaluator,
    config: () => ({ metrics: ['f1', 'recallAtK'], writer: () => {} }),
    record: (i) => ({ generated: 'two days', references: ['two business days'], retrievalResults: retrieved, relevantIds: ['ship'], seq: i }),
    perRecord: 1,
    check: (output) => {
      expect(output.scores.f1).toBeCloseTo(0.8);
      expect(output.scores.recallAtK).toBe(1);
    },
    throwing: [
      { what: 'onSummary', config: () => ({ metrics: ['f1', 'recallAtK'], writer: () => {}, onSummary: boom('onSummary') }), error: /onSummary boom/ },
      { what: 'writer', config: () => ({ metrics: ['f1', 'recallAtK'], writer: boom('writer') }), error: /writer boom/ },
    ],
  },
  {
    name: 'EmbeddingReranker',
    kind: 'map',
    fn: EmbeddingReranker,
    config: () => ({ embedder: EMBEDDER, topK: 2 }),
    record: (i) => ({ query: `refund to my card ${i}`, retrievalResults: retrieved, seq: i }),
    perRecord: 1,
    check: (output) => {
      expect(output.retrievalResults).toHaveLength(2);
      expect(output.retrievalResults[0].score).toBeGreaterThanOrEqual(output.retrievalResults[1].score);
    },
  },
  {
    name: 'CrossEncoderReranker',
    kind: 'map',
    fn: CrossEncoderReranker,
    config: () => ({ modelPath: join(onnxModels, 'cross-encoder'), topK: 2, threads: 1 }),
    record: (i) => ({ query: `refund to my card ${i}`, retrievalResults: retrieved, seq: i }),
    perRecord: 1,
    check: (output) => {
      expect(output.retrievalResults).toHaveLength(2);
      expect(output.retrievalResults[0].score).toBeGreaterThanOrEqual(output.retrievalResults[1].score);
    },
  },
  retriever('DenseRetriever', DenseRetriever),
  retriever('BM25Retriever', BM25Retriever),
  retriever('HybridRetriever', HybridRetriever),
  {
    name: 'LLMReranker',
    kind: 'map',
    fn: LLMReranker,
    config: () => ({ generator: { provider: 'openai', openai: { baseURL: chatServer.baseURL, model: 'judge', maxRetries: 0 } }, topK: 2 }),
    record: (i) => ({ query: `how do I reset my password (${i})`, retrievalResults: shuffled, seq: i }),
    perRecord: 1,
    check: (output) => {
      expect(output.retrievalResults.map((result: Rec) => result.id)).toEqual(['pw', 'refund']);
      expect(output.retrievalResults.map((result: Rec) => result.score)).toEqual([9, 5]);
    },
    throwing: [{ what: 'generate', config: () => ({ generator: { name: 'judge', generate: boom('generate') } }), error: /generate boom/ }],
  },
  {
    name: 'LangChainRetriever',
    kind: 'map',
    fn: LangChainRetriever,
    config: () => ({ retriever: new ListRetriever(keywordSearch), topK: 2 }),
    record: (i) => ({ query: `how do I reset my password (${i})`, seq: i }),
    perRecord: 1,
    check: (output) => {
      expect(output.retrievalResults.map((result: Rec) => result.id)).toEqual(['pw']);
      expect(output.retrievalResults[0].metadata).toEqual({ id: 'pw', topic: 'account' });
    },
    throwing: [{ what: 'retriever', config: () => ({ retriever: new ListRetriever(boom('retriever')) }), error: /retriever boom/ }],
  },
  {
    name: 'LangChainRunnable',
    kind: 'map',
    fn: LangChainRunnable,
    config: () => ({ runnable: RunnableLambda.from(async (record: Rec) => ({ answer: `answer to ${record.query}` })) }),
    record: (i) => ({ query: `question ${i}`, seq: i }),
    perRecord: 1,
    check: (output) => expect(output.answer).toBe(`answer to question ${output.seq}`),
    throwing: [
      { what: 'runnable', config: () => ({ runnable: RunnableLambda.from(boom('runnable')) }), error: /runnable boom/ },
      { what: 'input', config: () => ({ runnable: RunnableLambda.from((x: unknown) => x), input: boom('input') }), error: /input boom/ },
      { what: 'output', config: () => ({ runnable: RunnableLambda.from((x: unknown) => x), output: boom('output') }), error: /output boom/ },
    ],
  },
  {
    name: 'IndexWriter',
    kind: 'sink',
    fn: IndexWriter,
    config: ({ dbPath, collection }) => ({ collection, dbPath, embedder: EMBEDDER, batchSize: 4 }),
    record: (i) => ({ id: `doc-${i}`, text: `Document number ${i} about tea.`, metadata: { seq: i }, seq: i }),
    perRecord: 1,
    check: (stored) => expect(stored.text).toBe(`Document number ${stored.seq} about tea.`),
    usesDb: true,
    throwing: [
      {
        what: 'onProgress',
        config: ({ dbPath, collection }) => ({ collection, dbPath, embedder: EMBEDDER, batchSize: 2, onProgress: boom('onProgress') }),
        error: /onProgress boom/,
      },
    ],
  },
  {
    name: 'IndexWriter with OnnxEmbedder',
    kind: 'sink',
    fn: IndexWriter,
    config: ({ dbPath, collection }) => ({ collection, dbPath, embedder: { provider: 'onnx', modelPath: join(onnxModels, 'embedder'), threads: 1 }, batchSize: 4 }),
    record: (i) => ({ id: `doc-${i}`, text: `Document number ${i} about tea.`, metadata: { seq: i }, seq: i }),
    perRecord: 1,
    check: (stored) => expect(stored.text).toBe(`Document number ${stored.seq} about tea.`),
    usesDb: true,
  },
];


/** The records IndexWriter stored for `inputs` (by id, in input order), with their `seq`. */
async function storedRecords(ctx: Context, inputs: Rec[]): Promise<Rec[]> {
  const lease = await acquireDatabase(ctx.dbPath);
  try {
    const collection = await lease.db.collection(ctx.collection);
    expect(collection.info().count).toBe(inputs.length);
    return inputs.map((input) => {
      const stored = collection.get(input.id);
      expect(stored, `stored ${input.id}`).toBeDefined();
      return { ...stored, seq: stored!.metadata.seq };
    });
  } finally {
    await lease.release();
  }
}

/** Every lease on the database was given back: the next lease opens it afresh and closes it on release. */
async function expectDatabaseReleased(dbPath: string): Promise<void> {
  const lease = await acquireDatabase(dbPath);
  await lease.release();
  await expect(lease.db.listCollections()).rejects.toThrow(/is closed/);
}

function apply(stream: DataStream<Rec>, op: OperatorCase, fn: FunctionClass, config: Rec): Rec[] {
  const applied = (stream[op.kind] as (...args: unknown[]) => unknown).call(stream, fn, config, { name: op.name });
  return applied instanceof DataStream ? collect(applied as DataStream<Rec>) : [];
}

let dbPath: string;
let collections = 0;
const newContext = (): Context => ({ dbPath, collection: `written-${++collections}` });

beforeAll(async () => {
  dbPath = mkdtempSync(join(tmpdir(), 'sage-rag-checklist-'));
  await runOperator('sink', IndexWriter, { records: corpus, config: { collection: 'faq', dbPath, embedder: EMBEDDER } });
});
afterAll(() => rmSync(dbPath, { recursive: true, force: true }));

/** The chat-completions server of the OpenAI-compatible cases, on 127.0.0.1; no variable of the machine's environment reaches them. */
let chatServer: ChatCompletionsServer;
useCleanLlmEnv();
beforeAll(async () => {
  chatServer = await startChatCompletionsServer(chatReply);
});
afterAll(() => chatServer.close());

/** The tiny ONNX models of the cases that run one: `embedder` and `cross-encoder`. */
let onnxModels: string;
beforeAll(() => {
  onnxModels = mkdtempSync(join(tmpdir(), 'sage-rag-checklist-onnx-'));
  writeTinyEmbeddingModel(join(onnxModels, 'embedder'));
  writeTinyCrossEncoder(join(onnxModels, 'cross-encoder'));
});
afterAll(() => rmSync(onnxModels, { recursive: true, force: true }));

/** The tiny GGUF model of the LlamaCppGenerator case. */
let ggufModels: string;
beforeAll(async () => {
  ggufModels = mkdtempSync(join(tmpdir(), 'sage-rag-checklist-gguf-'));
  await writeTinyGguf(join(ggufModels, 'tiny.gguf'));
});
afterAll(() => rmSync(ggufModels, { recursive: true, force: true }));

describe.each(cases)('$name: the operator checklist', (op) => {
  /** Runs the operator over `count` records; returns what came out (for a sink: what it stored) and its close count. */
  async function run(count: number): Promise<{ inputs: Rec[]; outputs: Rec[]; closes: number; ctx: Context }> {
    const ctx = newContext();
    const inputs = Array.from({ length: count }, (_, i) => op.record(i));
    const probe = probed(op.fn);
    const { output, result } = await runOperator<Rec, Rec>(op.kind, probe.fn, {
      records: inputs,
      config: op.config(ctx),
      options: { name: op.name },
    });
    expect(result.status).toBe('finished');
    const outputs = op.kind === 'sink' && count > 0 ? await storedRecords(ctx, inputs) : output;
    return { inputs, outputs, closes: probe.closes(), ctx };
  }

  function expectOutputs(inputs: Rec[], outputs: Rec[]): void {
    expect(outputs.map((output) => output.seq)).toEqual(inputs.flatMap((input) => Array(op.perRecord).fill(input.seq)));
    for (const output of outputs) {
      op.check(output);
      if (op.kind !== 'sink') expect(output.timings[op.timingKey ?? op.name]).toBeGreaterThanOrEqual(0);
    }
  }

  it('empty input: nothing comes out, the job finishes and the operator closes', async () => {
    const { outputs, closes, ctx } = await run(0);
    expect(outputs).toEqual([]);
    expect(closes).toBe(1);
    if (op.usesDb) await expectDatabaseReleased(ctx.dbPath);
  });

  it('one record: its output records carry the field and the timing', async () => {
    const { inputs, outputs, closes } = await run(1);
    expect(outputs).toHaveLength(op.perRecord);
    expectOutputs(inputs, outputs);
    expect(closes).toBe(1);
  });

  it('many records: all come out, in order at parallelism 1', async () => {
    const { inputs, outputs } = await run(50);
    expect(outputs).toHaveLength(50 * op.perRecord);
    expectOutputs(inputs, outputs);
  });

  it('an error from upstream fails the job naming the upstream operator, and the operator still closes', async () => {
    const ctx = newContext();
    const probe = probed(op.fn);
    const env = new LocalEnvironment('checklist-upstream', { logLevel: 'silent', handleSignals: false });
    const records = env.fromBatch(Array.from({ length: 10 }, (_, i) => op.record(i))).map(
      (record: Rec) => {
        if (record.seq === 2) throw new Error('upstream broke');
        return record;
      },
      { name: 'flaky_upstream' },
    );
    const outputs = apply(records, op, probe.fn, op.config(ctx));
    await expect(withDeadline(env.submit({ autostop: true }), 'failing job')).rejects.toThrow(/operator "flaky_upstream" failed.*upstream broke/);
    expect(outputs).toHaveLength(0);
    expect(probe.closes()).toBe(1);
    if (op.usesDb) {
      await expectDatabaseReleased(ctx.dbPath);
      // A second job on the same database works.
      const again = await runOperator<Rec, Rec>(op.kind, op.fn, { records: [op.record(0)], config: op.config(ctx), options: { name: op.name } });
      expect(again.result.status).toBe('finished');
      await expectDatabaseReleased(ctx.dbPath);
    }
  });

  it('a never-ending source stops when asked, and the operator closes', async () => {
    const ctx = newContext();
    const probe = probed(op.fn);
    // Small batches and channels: little is in flight to drain when the source is stopped.
    const env = new LocalEnvironment('checklist-endless', { logLevel: 'silent', handleSignals: false, batchSize: 4, channelCapacity: 2 });
    let pulled = 0;
    const source = env.fromSource(() => op.record(pulled++));
    let written = 0;
    const config = op.kind === 'sink' ? { ...op.config(ctx), onProgress: (n: number) => (written = n) } : op.config(ctx);
    const outputs = apply(source, op, probe.fn, config);
    await withDeadline(env.submit(), 'submit');
    const arrived = () => (op.kind === 'sink' ? written : outputs.length);
    await vi.waitFor(() => expect(arrived()).toBeGreaterThanOrEqual(8), { timeout: DEADLINE_MS, interval: 5 });
    const result = await withDeadline(env.stop(), 'stop');
    expect(result?.status).toBe('stopped');
    expect(probe.closes()).toBe(1);
    // In order as far as it got; nothing arrives after the stop.
    const seen = op.kind === 'sink' ? written : outputs.length;
    if (op.kind !== 'sink') expectOutputs(Array.from({ length: outputs.length / op.perRecord }, (_, i) => op.record(i)), outputs);
    expect(arrived()).toBe(seen);
    if (op.usesDb) await expectDatabaseReleased(ctx.dbPath);
  });

  for (const { what, config, error } of op.throwing ?? []) {
    it(`a throwing user function (${what}) fails the job with its error`, async () => {
      const ctx = newContext();
      const probe = probed(op.fn);
      const run = runOperator(op.kind, probe.fn, { records: [0, 1, 2, 3].map(op.record), config: config(ctx), options: { name: op.name } });
      await expect(withDeadline(run, 'job')).rejects.toThrow(error);
      expect(probe.closes()).toBe(1);
      if (op.usesDb) await expectDatabaseReleased(ctx.dbPath);
    });
  }
});
