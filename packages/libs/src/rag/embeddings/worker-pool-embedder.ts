import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { ValidationError } from '@sage/common';
import type { EmbedderConfig } from './create-embedder.js';
import type { Embedder } from './embedder.js';
import type { WorkerReply } from './embedder-worker-protocol.js';
import { EmbeddingError } from './embedding-error.js';
import { loadOnce } from './load-once.js';

export interface WorkerPoolEmbedderConfig {
  /** The embedder each thread builds (`createEmbedder`'s config, without `cache` and `workers`). */
  embedder: EmbedderConfig;
  /** Threads, each with its own copy of the model. Default: the available cores. */
  workers?: number;
  /** Queued texts are split across idle threads only into parts of at least this many texts. Default 4. */
  minBatchPerWorker?: number;
  /** At most this many texts go to a thread at once; the rest wait for the first thread to free. Default 64. */
  maxBatchPerWorker?: number;
}

/** One `embed` call: its vectors fill in as the parts come back, from any thread. */
interface Call {
  readonly texts: readonly string[];
  readonly vectors: Float32Array[];
  left: number;
  settled: boolean;
  resolve(vectors: Float32Array[]): void;
  reject(error: unknown): void;
}

/** Texts `[from, to)` of one call. */
interface Part {
  call: Call;
  from: number;
  to: number;
}

interface Thread {
  worker: Worker;
  /** The parts sent and not answered yet: a thread has one batch in flight at most. */
  batch: { id: number; parts: Part[] } | undefined;
  /** Texts and batches sent so far. */
  sent: number;
  batches: number;
}

/** The thread's entry: the compiled worker, or (in this repository's tests, which run the sources) the source through tsx. */
function workerEntry(): { entry: string | URL; eval: boolean } {
  if (!import.meta.url.endsWith('.ts')) return { entry: new URL('./embedder-worker.js', import.meta.url), eval: false };
  const source = new URL('./embedder-worker.ts', import.meta.url).href;
  return { entry: `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(source)}); })`, eval: true };
}

/**
 * An embedder running on worker threads: each thread loads its own copy of the model. Calls queue their texts;
 * an idle thread takes the queued texts (split evenly across the idle threads, at most `maxBatchPerWorker` each),
 * so under load each model call is a batch as large as what waited while the threads were busy, and the threads
 * never wait for each other. For in-process models that compute on the JavaScript thread (USE-lite on WASM,
 * ONNX models), this uses the machine's other cores and leaves the event loop free while they compute. Vectors
 * are the ones the embedder gives in-process, in input order. Threads hold the process open only while they
 * have work; `close()` ends them.
 */
export class WorkerPoolEmbedder implements Embedder {
  readonly name: string;
  readonly #config: EmbedderConfig;
  readonly #size: number;
  readonly #minBatch: number;
  readonly #maxBatch: number;
  #threads: Thread[] = [];
  #queue: Part[] = [];
  #queued = 0;
  #dimension: number | undefined;
  #nextId = 0;
  readonly #started = loadOnce(() => this.#start());

  /** `name` is the embedder's own, read from an instance built here (constructors load nothing). */
  constructor(config: WorkerPoolEmbedderConfig, name: string) {
    const { embedder, workers = availableParallelism(), minBatchPerWorker = 4, maxBatchPerWorker = 64 } = config;
    for (const [option, value, max] of [
      ['workers', workers, 256],
      ['minBatchPerWorker', minBatchPerWorker, 1_000_000],
      ['maxBatchPerWorker', maxBatchPerWorker, 1_000_000],
    ] as const) {
      if (!Number.isInteger(value) || value < 1 || value > max) {
        throw new ValidationError(`WorkerPoolEmbedder: option "${option}" must be an integer from 1 to ${max}, got ${String(value)}`);
      }
    }
    if (maxBatchPerWorker < minBatchPerWorker) {
      throw new ValidationError(`WorkerPoolEmbedder: option "maxBatchPerWorker" (${maxBatchPerWorker}) must be at least "minBatchPerWorker" (${minBatchPerWorker})`);
    }
    this.#config = embedder;
    this.#size = workers;
    this.#minBatch = minBatchPerWorker;
    this.#maxBatch = maxBatchPerWorker;
    this.name = name;
  }

  get dimension(): number {
    if (this.#dimension === undefined) throw new ValidationError(`${this.name}: the dimension is known once the threads have loaded the model: call init() first`);
    return this.#dimension;
  }

  /** Texts sent to each thread so far, in thread order (how the work was spread). */
  get textsPerThread(): number[] {
    return this.#threads.map((thread) => thread.sent);
  }

  /** Model calls (batches) sent to each thread so far, in thread order. */
  get batchesPerThread(): number[] {
    return this.#threads.map((thread) => thread.batches);
  }

  async init(): Promise<void> {
    await this.#started();
  }

  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    if (texts.length === 0) return [];
    await this.#started();
    return new Promise<Float32Array[]>((resolve, reject) => {
      const call: Call = { texts, vectors: new Array<Float32Array>(texts.length), left: texts.length, settled: false, resolve, reject };
      this.#queue.push({ call, from: 0, to: texts.length });
      this.#queued += texts.length;
      this.#dispatch();
    });
  }

  async close(): Promise<void> {
    const threads = this.#threads;
    this.#threads = [];
    this.#started.reset();
    this.#failQueued(new EmbeddingError(this.name, 'closed before the call was answered'));
    await Promise.all(threads.map((thread) => thread.worker.terminate()));
  }

  /** Hands the queued texts to the idle threads: evenly, in parts of at least `minBatch` and at most `maxBatch`. */
  #dispatch(): void {
    const idle = this.#threads.filter((thread) => thread.batch === undefined);
    while (this.#queued > 0 && idle.length > 0) {
      const parts = Math.max(1, Math.min(idle.length, Math.floor(this.#queued / this.#minBatch)));
      this.#send(idle.shift()!, this.#take(Math.min(this.#maxBatch, Math.ceil(this.#queued / parts))));
    }
  }

  /** The first `count` queued texts, as parts of their calls (the last call may be split). */
  #take(count: number): Part[] {
    const parts: Part[] = [];
    let wanted = count;
    while (wanted > 0) {
      const head = this.#queue[0]!;
      const size = head.to - head.from;
      if (size <= wanted) {
        parts.push(this.#queue.shift()!);
        wanted -= size;
      } else {
        parts.push({ call: head.call, from: head.from, to: head.from + wanted });
        head.from += wanted;
        wanted = 0;
      }
    }
    this.#queued -= count;
    return parts;
  }

  #send(thread: Thread, parts: Part[]): void {
    const id = this.#nextId++;
    const texts = parts.flatMap((part) => part.call.texts.slice(part.from, part.to));
    thread.batch = { id, parts };
    thread.sent += texts.length;
    thread.batches++;
    // Held open while it has work, so a pipeline waiting on it does not see an empty event loop.
    thread.worker.ref();
    thread.worker.postMessage({ id, texts });
  }

  #failQueued(error: EmbeddingError): void {
    for (const part of this.#queue) settleWithError(part.call, error);
    this.#queue = [];
    this.#queued = 0;
  }

  async #start(): Promise<void> {
    const started = await Promise.allSettled(Array.from({ length: this.#size - this.#threads.length }, () => this.#spawn()));
    const threads = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
    const failure = started.find((result) => result.status === 'rejected');
    if (failure !== undefined) {
      await Promise.all(threads.map((thread) => thread.worker.terminate()));
      throw failure.reason;
    }
    this.#threads.push(...threads);
  }

  /** One thread, resolved once its model has loaded. */
  #spawn(): Promise<Thread> {
    const { entry, eval: isCode } = workerEntry();
    const worker = new Worker(entry, { eval: isCode, workerData: this.#config });
    const thread: Thread = { worker, batch: undefined, sent: 0, batches: 0 };
    return new Promise<Thread>((resolve, reject) => {
      const fail = (message: string) => {
        const error = new EmbeddingError(this.name, `worker thread: ${message}`);
        reject(error);
        for (const part of thread.batch?.parts ?? []) settleWithError(part.call, error);
        thread.batch = undefined;
        if (!this.#threads.includes(thread)) return;
        this.#threads = this.#threads.filter((other) => other !== thread);
        // A thread lost while running: the next call starts the missing threads; with none left, what waits fails.
        this.#started.reset();
        if (this.#threads.length === 0) this.#failQueued(error);
      };
      worker.on('message', (reply: WorkerReply) => {
        if (reply.kind === 'ready') {
          this.#dimension = reply.dimension;
          worker.unref();
          resolve(thread);
        } else if (reply.kind === 'failed') {
          fail(reply.message);
        } else {
          this.#settle(thread, reply);
        }
      });
      worker.on('error', (error) => fail(error.message));
      worker.on('exit', (code) => {
        if (thread.batch !== undefined || code !== 0) fail(`exited with code ${code}`);
      });
    });
  }

  #settle(thread: Thread, reply: Extract<WorkerReply, { id: number }>): void {
    const batch = thread.batch;
    if (batch === undefined || batch.id !== reply.id) return;
    thread.batch = undefined;
    thread.worker.unref();
    if (reply.kind === 'error') {
      const message = reply.message.startsWith(`${this.name}: `) ? reply.message.slice(this.name.length + 2) : reply.message;
      for (const part of batch.parts) settleWithError(part.call, new EmbeddingError(this.name, message));
    } else {
      const dimension = reply.count === 0 ? 0 : reply.data.length / reply.count;
      let row = 0;
      for (const { call, from, to } of batch.parts) {
        for (let index = from; index < to; index++, row++) call.vectors[index] = reply.data.subarray(row * dimension, (row + 1) * dimension);
        call.left -= to - from;
        if (call.left === 0 && !call.settled) {
          call.settled = true;
          call.resolve(call.vectors);
        }
      }
    }
    this.#dispatch();
  }
}

function settleWithError(call: Call, error: EmbeddingError): void {
  if (call.settled) return;
  call.settled = true;
  call.reject(error);
}
