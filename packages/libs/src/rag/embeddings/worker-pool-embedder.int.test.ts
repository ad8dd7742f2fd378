import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { availableParallelism } from 'node:os';
import { ValidationError } from '@sage/common';
import { afterEach, describe, expect, it } from 'vitest';
import { CachedEmbedder } from './cached-embedder.js';
import { createEmbedder } from './create-embedder.js';
import { EmbeddingError } from './embedding-error.js';
import { HashingEmbedder } from './hashing-embedder.js';
import { WorkerPoolEmbedder } from './worker-pool-embedder.js';

/** Threads take ~0.5 s each to start under tsx. */
const START_TIMEOUT_MS = 60_000;

const texts = Array.from({ length: 23 }, (_, i) => `text number ${i} about ${i % 2 === 0 ? 'tea' : 'coffee'}`);

describe('WorkerPoolEmbedder', () => {
  const open: WorkerPoolEmbedder[] = [];
  const pool = (workers: number, minBatchPerWorker = 4) => {
    const embedder = new WorkerPoolEmbedder({ embedder: { provider: 'hashing', dimension: 32 }, workers, minBatchPerWorker }, 'hashing-32');
    open.push(embedder);
    return embedder;
  };
  afterEach(async () => {
    await Promise.all(open.splice(0).map((embedder) => embedder.close()));
  });

  it(
    'gives the vectors the embedder gives in-process, in input order, spreading a call over its threads',
    async () => {
      const embedder = pool(2);
      expect(() => embedder.dimension).toThrow(/call init\(\) first/);
      await embedder.init();
      expect(embedder.dimension).toBe(32);
      const expected = await new HashingEmbedder({ dimension: 32 }).embed(texts);
      expect((await embedder.embed(texts)).map((vector) => Array.from(vector))).toEqual(expected.map((vector) => Array.from(vector)));
      // 23 texts over 2 threads: contiguous parts of 12 and 11.
      expect(embedder.textsPerThread.sort()).toEqual([11, 12]);
      // A call too small to split goes to one (the least loaded) thread.
      expect(await embedder.embed(['one', 'two'])).toHaveLength(2);
      expect(embedder.textsPerThread.reduce((a, b) => a + b)).toBe(25);
      expect(await embedder.embed([])).toEqual([]);
    },
    START_TIMEOUT_MS,
  );

  it(
    'answers calls in flight together, each with its own vectors',
    async () => {
      const embedder = pool(2, 1);
      const expected = await new HashingEmbedder({ dimension: 32 }).embed(texts);
      const answers = await Promise.all(texts.map((text) => embedder.embed([text])));
      expect(answers.map(([vector]) => Array.from(vector!))).toEqual(expected.map((vector) => Array.from(vector)));
      expect(embedder.textsPerThread.every((count) => count > 0)).toBe(true);
    },
    START_TIMEOUT_MS,
  );

  it(
    'queues the calls made while every thread is busy and sends them as one batch to the first thread that frees',
    async () => {
      const embedder = pool(1, 1);
      await embedder.init();
      const expected = await new HashingEmbedder({ dimension: 32 }).embed(['a', 'b', 'c', 'd']);
      // The first call takes the idle thread; the next two wait and leave together.
      const answers = await Promise.all([embedder.embed(['a']), embedder.embed(['b']), embedder.embed(['c', 'd'])]);
      expect(answers.flat().map((vector) => Array.from(vector))).toEqual(expected.map((vector) => Array.from(vector)));
      expect(embedder.batchesPerThread).toEqual([2]);
      expect(embedder.textsPerThread).toEqual([4]);
    },
    START_TIMEOUT_MS,
  );

  it(
    'sends a thread at most maxBatchPerWorker texts at once and keeps the order of a long call',
    async () => {
      const embedder = new WorkerPoolEmbedder({ embedder: { provider: 'hashing', dimension: 32 }, workers: 2, maxBatchPerWorker: 8 }, 'hashing-32');
      open.push(embedder);
      const many = Array.from({ length: 50 }, (_, i) => `long call text ${i}`);
      const expected = await new HashingEmbedder({ dimension: 32 }).embed(many);
      expect((await embedder.embed(many)).map((vector) => Array.from(vector))).toEqual(expected.map((vector) => Array.from(vector)));
      expect(embedder.textsPerThread.reduce((a, b) => a + b)).toBe(50);
      // 50 texts, at most 8 per batch: at least 7 batches, shared by both threads.
      expect(embedder.batchesPerThread.reduce((a, b) => a + b)).toBeGreaterThanOrEqual(7);
      expect(embedder.batchesPerThread.every((count) => count > 0)).toBe(true);
      expect(() => new WorkerPoolEmbedder({ embedder: { provider: 'hashing' }, minBatchPerWorker: 8, maxBatchPerWorker: 4 }, 'hashing-256')).toThrow(
        /"maxBatchPerWorker" \(4\) must be at least "minBatchPerWorker" \(8\)/,
      );
    },
    START_TIMEOUT_MS,
  );

  it(
    'fails the calls still waiting when closed',
    async () => {
      // An OpenAI-compatible endpoint that never answers: the first call stays in the thread, the second waits.
      const server = createServer();
      const received = once(server, 'request');
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      const { port } = server.address() as AddressInfo;
      const embedder = new WorkerPoolEmbedder(
        { embedder: { provider: 'openai', model: 'm', baseURL: `http://127.0.0.1:${port}/v1`, apiKey: 'k', dimensions: 8, maxRetries: 0, timeoutMs: 60_000 }, workers: 1, minBatchPerWorker: 1 },
        'openai:m',
      );
      open.push(embedder);
      await embedder.init();
      const running = embedder.embed(['a']);
      const waiting = embedder.embed(['b']);
      const outcomes = Promise.allSettled([running, waiting]);
      await received;
      await embedder.close();
      server.closeAllConnections();
      server.close();
      const [ran, waited] = await outcomes;
      expect(ran).toMatchObject({ status: 'rejected', reason: expect.any(EmbeddingError) });
      expect(waited).toMatchObject({ status: 'rejected', reason: expect.objectContaining({ message: 'openai:m: closed before the call was answered' }) });
    },
    START_TIMEOUT_MS,
  );

  it(
    'fails a call with an EmbeddingError when the model fails in the thread, and keeps serving',
    async () => {
      // An OpenAI-compatible endpoint that refuses connections: every call fails in the thread.
      const embedder = new WorkerPoolEmbedder(
        { embedder: { provider: 'openai', model: 'm', baseURL: 'http://127.0.0.1:9/v1', apiKey: 'k', maxRetries: 0, timeoutMs: 2_000 }, workers: 1 },
        'openai:m',
      );
      open.push(embedder);
      const call = embedder.embed(['a']);
      await expect(call).rejects.toBeInstanceOf(EmbeddingError);
      await expect(embedder.embed(['b'])).rejects.toThrow(/^openai:m: /);
    },
    START_TIMEOUT_MS,
  );

  it(
    "fails init with the thread's reason when the model cannot load there, and can be tried again",
    async () => {
      const embedder = new WorkerPoolEmbedder({ embedder: { provider: 'onnx', modelPath: '/nonexistent/model' }, workers: 2 }, 'onnx:model');
      open.push(embedder);
      await expect(embedder.init()).rejects.toThrow(/onnx:model: worker thread: .*\/nonexistent\/model/);
      await expect(embedder.embed(['a'])).rejects.toBeInstanceOf(EmbeddingError);
    },
    START_TIMEOUT_MS,
  );

  it(
    'is what createEmbedder builds with `workers`, cached, named like the embedder; bad options are refused',
    async () => {
      const embedder = createEmbedder({ provider: 'hashing', dimension: 16, workers: 2 });
      expect(embedder).toBeInstanceOf(CachedEmbedder);
      expect(embedder.name).toBe('hashing-16');
      await embedder.init();
      expect((await embedder.embed(['a b c']))[0]).toHaveLength(16);
      await embedder.close?.();
      expect(() => createEmbedder({ provider: 'hashing', workers: 0 })).toThrow(/createEmbedder: option "workers"/);
      // The embedder's own options are checked at once, not in a thread.
      expect(() => createEmbedder({ provider: 'hashing', dimensions: 3, workers: 2 } as never)).toThrow(ValidationError);
      expect(() => new WorkerPoolEmbedder({ embedder: { provider: 'hashing' }, workers: 1.5 }, 'hashing-256')).toThrow(/option "workers" must be an integer/);
      expect(new WorkerPoolEmbedder({ embedder: { provider: 'hashing' } }, 'hashing-256').name).toBe('hashing-256');
      expect(availableParallelism()).toBeGreaterThanOrEqual(1);
    },
    START_TIMEOUT_MS,
  );
});
