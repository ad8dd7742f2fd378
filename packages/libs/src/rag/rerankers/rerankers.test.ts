import { ValidationError } from '@sage/common';
import { runOperator } from '@sage/kernel/testing';
import { afterEach, describe, expect, it } from 'vitest';
import type { RetrievedDocument, RetrievedRecord } from '../contracts.js';
import {
  type ChatCompletionsServer,
  completion,
  type Reply,
  sendJson,
  startChatCompletionsServer,
  useCleanLlmEnv,
} from '../generators/__fixtures__/chat-completions-server.js';
import { ExtractiveGenerator } from '../generators/extractive-generator.js';
import { OpenAIGenerator } from '../generators/openai-generator.js';
import { EmbeddingReranker } from './embedding-reranker.js';
import { LLMReranker, llmRerankPrompt } from './llm-reranker.js';
import { parseRelevanceScores } from './relevance-scores.js';

useCleanLlmEnv();

/** Deliberately shuffled: the relevant document last, with the lowest retrieval score. */
const shuffled: RetrievedDocument[] = [
  { id: 'ship', text: 'Orders ship within two business days from our warehouse.', score: 0.9, metadata: { topic: 'orders' } },
  { id: 'whale', text: 'The white whale swam far beyond the ship into the cold ocean.', score: 0.8, metadata: {} },
  { id: 'refund', text: 'Refunds are paid back to the original card within a week.', score: 0.7, metadata: {} },
  { id: 'pw', text: 'To reset your password open settings and choose reset password.', score: 0.1, metadata: { topic: 'account' } },
];
const question = { query: 'how do I reset my password', relevantIds: ['pw'] };
const ids = (record: RetrievedRecord) => record.retrievalResults.map((result) => result.id);

describe('EmbeddingReranker', () => {
  it('reorders a shuffled list by query-document similarity, keeping topK and the other fields', async () => {
    const { output } = await runOperator<unknown, RetrievedRecord>('map', EmbeddingReranker, {
      records: [{ ...question, retrievalResults: shuffled }],
      config: { embedder: 'hashing-256', topK: 2 },
    });
    const [record] = output;
    expect(ids(record!)[0]).toBe('pw');
    expect(record!.retrievalResults).toHaveLength(2);
    expect(record!.retrievalResults[0]!.score).toBeGreaterThan(record!.retrievalResults[1]!.score);
    expect(record!.retrievalResults[0]!.metadata).toEqual({ topic: 'account' });
    expect(record!.relevantIds).toEqual(['pw']);
    expect(record!.timings?.EmbeddingReranker).toBeGreaterThanOrEqual(0);
  });

  it('passes empty results and no records through, keeping every document without topK', async () => {
    const { output } = await runOperator<unknown, RetrievedRecord>('map', EmbeddingReranker, {
      records: [{ query: 'q', retrievalResults: [] }, { query: 'when will my orders ship', retrievalResults: shuffled }],
      config: { embedder: 'hashing-64' },
    });
    expect(output[0]!.retrievalResults).toEqual([]);
    expect(ids(output[1]!)).toHaveLength(4);
    expect(ids(output[1]!)[0]).toBe('ship');
    const none = await runOperator('map', EmbeddingReranker, { records: [], config: { embedder: 'hashing-64' } });
    expect(none.output).toEqual([]);
  });

  it('validates its config and records, naming the class and the option or field', async () => {
    expect(() => new EmbeddingReranker({ topK: 0 })).toThrow(ValidationError);
    expect(() => new EmbeddingReranker({ topK: 0 })).toThrow(/EmbeddingReranker: option "topK"/);
    expect(() => new EmbeddingReranker({ embeder: 'hashing' } as never)).toThrow(/EmbeddingReranker: .*embeder/);
    const run = runOperator('map', EmbeddingReranker, { records: [{ query: 'q' }], config: { embedder: 'hashing-64' } });
    await expect(run).rejects.toThrow(/EmbeddingReranker: record.retrievalResults/);
    const bad = runOperator('map', EmbeddingReranker, {
      records: [{ query: 'q', retrievalResults: [{ id: 'a', text: 1, score: 0 }] }],
      config: { embedder: 'hashing-64' },
    });
    await expect(bad).rejects.toThrow(/EmbeddingReranker: record.retrievalResults.0.text/);
  });
});

describe('parseRelevanceScores', () => {
  it.each([
    ['1: 8\n2: 3\n3: 10', [8, 3, 10]],
    ['Scores:\n**1**: 8\n**2**: 3\n**3**: 10', [8, 3, 10]],
    ['[3] 10/10\n[1] 8/10\n[2] 3/10', [8, 3, 10]],
    ['Document 1 - 8, Document 2 - 3, Document 3 - 10', [8, 3, 10]],
    ['1. 8\n2. 3\n3. 10', [8, 3, 10]],
    ['Here you go: [8, 3, 10]', [8, 3, 10]],
    ['```json\n{"scores": [8, 3.5, 10]}\n```', [8, 3.5, 10]],
    ['{"1": 8, "2": 3, "3": 10}', [8, 3, 10]],
    ['8\n3\n10', [8, 3, 10]],
    ['8/10, 3/10, 10/10', [8, 3, 10]],
  ])('reads %j', (reply, expected) => {
    expect(parseRelevanceScores(reply, 3)).toEqual(expected);
  });

  it.each([
    'The second document is the most relevant.',
    '1: 8\n2: 3', // one missing
    '1: 80\n2: 3\n3: 1', // out of range
    '[8, 3]',
    '',
  ])('refuses %j', (reply) => {
    expect(parseRelevanceScores(reply, 3)).toBeUndefined();
  });
});

describe('LLMReranker', () => {
  let server: ChatCompletionsServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  /** A judge: 9 for documents mentioning the password, 2 for others; an unreadable reply for queries saying "riddle". */
  const judge: Reply = (request, response) => {
    const user: string = request.body.messages.at(-1).content;
    const documents = [...user.matchAll(/^\[(\d+)\] (.*)$/gm)];
    const text = user.includes('riddle')
      ? 'All of these documents seem somewhat useful, the second one perhaps.'
      : documents.map(([, n, doc]) => `**${n}**: ${doc!.includes('password') ? 9 : 2}`).join('\n');
    sendJson(response, 200, completion(request.body.model, text));
  };
  const judgeAt = async () => {
    server = await startChatCompletionsServer(judge);
    return new OpenAIGenerator({ baseURL: server.baseURL, apiKey: 'sk-test', model: 'judge', maxRetries: 0 });
  };

  it('reorders by the scores an LLM on a real HTTP server gives, with a strict prompt', async () => {
    const generator = await judgeAt();
    const { output } = await runOperator<unknown, RetrievedRecord>('map', LLMReranker, {
      records: [{ ...question, retrievalResults: shuffled }],
      config: { generator, topK: 3 },
    });
    const [record] = output;
    expect(ids(record!)).toEqual(['pw', 'ship', 'whale']); // ties keep the retrieval order
    expect(record!.retrievalResults.map((result) => result.score)).toEqual([9, 2, 2]);
    expect(record!.relevantIds).toEqual(['pw']);
    expect(record!.timings?.LLMReranker).toBeGreaterThanOrEqual(0);

    const sent = server!.requests[0]!.body;
    expect(sent.messages[0].role).toBe('system');
    expect(sent.messages[0].content).toMatch(/integer from 0 to 10/);
    expect(sent.messages[1].content).toContain('Question: how do I reset my password');
    expect(sent.messages[1].content).toContain('[4] To reset your password');
  });

  it('keeps the retrieval order and scores when the reply cannot be read, and skips empty results', async () => {
    const generator = await judgeAt();
    const { output } = await runOperator<unknown, RetrievedRecord>('map', LLMReranker, {
      records: [
        { query: 'a riddle about passwords', retrievalResults: shuffled },
        { query: 'nothing', retrievalResults: [] },
      ],
      config: { generator, topK: 2 },
      environment: { logLevel: 'silent' },
    });
    expect(output[0]!.retrievalResults).toEqual(shuffled.slice(0, 2));
    expect(output[1]!.retrievalResults).toEqual([]);
    expect(server!.requests).toHaveLength(1); // no request for an empty list
  });

  it('picks its generator from a generator config, at temperature 0, several records in flight', async () => {
    await judgeAt();
    const { output } = await runOperator<unknown, RetrievedRecord>('map', LLMReranker, {
      records: Array.from({ length: 4 }, () => ({ ...question, retrievalResults: shuffled })),
      config: { generator: { provider: 'openai', openai: { baseURL: server!.baseURL, apiKey: 'sk-test', model: 'judge' } } },
      options: { concurrency: 4 },
    });
    expect(output.map((record) => ids(record)[0])).toEqual(['pw', 'pw', 'pw', 'pw']);
    expect(server!.requests[0]!.body.temperature).toBe(0);
  });

  it('fails the job when the generator fails', async () => {
    server = await startChatCompletionsServer((_, response) => sendJson(response, 400, { error: { message: 'bad request' } }));
    const generator = new OpenAIGenerator({ baseURL: server.baseURL, apiKey: 'sk-test', model: 'judge', maxRetries: 0 });
    const run = runOperator('map', LLMReranker, { records: [{ ...question, retrievalResults: shuffled }], config: { generator } });
    await expect(run).rejects.toThrow(/400/);
  });

  it('refuses the extractive answerer, given or picked for want of an LLM', () => {
    expect(() => new LLMReranker({ generator: new ExtractiveGenerator() })).toThrow(ValidationError);
    expect(() => new LLMReranker({ generator: new ExtractiveGenerator() })).toThrow(
      /LLMReranker: option "generator": the extractive answerer cannot judge relevance/,
    );
    expect(() => new LLMReranker()).toThrow(/LLMReranker: option "generator": .*no LLM is configured.*OPENAI_API_KEY/);
    expect(() => new LLMReranker({ generator: { provider: 'extractive' } })).toThrow(/cannot judge relevance \(chosen in the config\)/);
  });

  it('validates its config and records, naming the class and the option or field', async () => {
    const generator = await judgeAt();
    expect(() => new LLMReranker({ generator, topK: 1.5 })).toThrow(/LLMReranker: option "topK"/);
    expect(() => new LLMReranker({ generator, maxChars: 10 })).toThrow(/LLMReranker: option "maxChars"/);
    expect(() => new LLMReranker({ generator: 'gpt' as never })).toThrow(/LLMReranker: option "generator"/);
    const run = runOperator('map', LLMReranker, { records: [{ retrievalResults: [] }], config: { generator } });
    await expect(run).rejects.toThrow(/LLMReranker: record.query/);
  });

  it('shows each document once, numbered, cut to maxChars', () => {
    const [, user] = llmRerankPrompt('q', [{ id: 'long', text: 'word '.repeat(100), score: 1, metadata: {} }], 60);
    expect(user!.content).toMatch(/^Question: q\n\nDocuments:\n\[1\] (word ){11}word…\n\nScores \(1 line\):\n1: <score>$/);
  });
});
