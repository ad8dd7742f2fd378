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
  /** A call is split across idle threads only into parts of at least this many texts. Default 4. */
  minBatchPerWorker?: number;
}

interface Pending {
  count: number;
  resolve(vectors: Float32Array[]): void;
  reject(error: unknown): void;
}

interface Thread {
  worker: Worker;
  /** Texts sent and not answered yet: the least loaded thread gets the next part. */
  inFlight: number;
  /** Texts sent so far. */
  sent: number;
  pending: Map<number, Pending>;
}

/** The thread's entry: the compiled worker, or (in this repository's tests, which run the sources) the source through tsx. */
function workerEntry(): { entry: string | URL; eval: boolean } {
  if (!import.meta.url.endsWith('.ts')) return { entry: new URL('./embedder-worker.js', import.meta.url), eval: false };
  const source = new URL('./embedder-worker.ts', import.meta.url).href;
  return { entry: `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(source)}); })`, eval: true };
}

/**
 * An embedder running on worker threads: each thread loads its own copy of the model, and a call is split
 * into contiguous parts sent to the least loaded threads at once. For in-process models that compute on the
 * JavaScript thread (USE-lite on WASM, ONNX models), this uses the machine's other cores and leaves the
 * event loop free while they compute. Vectors are the ones the embedder gives in-process, in input order.
 * Threads hold the process open only while they have work; `close()` ends them.
 */
export class WorkerPoolEmbedder implements Embedder {
  readonly name: string;
  readonly #config: EmbedderConfig;
  readonly #size: number;
  readonly #minBatch: number;
  #threads: Thread[] = [];
  #dimension: number | undefined;
  #nextId = 0;
  readonly #started = loadOnce(() => this.#start());

  /** `name` is the embedder's own, read from an instance built here (constructors load nothing). */
  constructor(config: WorkerPoolEmbedderConfig, name: string) {
    const { embedder, workers = availableParallelism(), minBatchPerWorker = 4 } = config;
    for (const [option, value, max] of [
      ['workers', workers, 256],
      ['minBatchPerWorker', minBatchPerWorker, 1_000_000],
    ] as const) {
      if (!Number.isInteger(value) || value < 1 || value > max) {
        throw new ValidationError(`WorkerPoolEmbedder: option "${option}" must be an integer from 1 to ${max}, got ${String(value)}`);
      }
    }
    this.#config = embedder;
    this.#size = workers;
    this.#minBatch = minBatchPerWorker;
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

  async init(): Promise<void> {
    await this.#started();
  }

  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    if (texts.length === 0) return [];
    await this.#started();
    const idle = [...this.#threads].sort((a, b) => a.inFlight - b.inFlight);
    const parts = Math.max(1, Math.min(idle.length, Math.floor(texts.length / this.#minBatch)));
    const size = Math.ceil(texts.length / parts);
    const calls: Array<Promise<Float32Array[]>> = [];
    for (let part = 0; part < parts; part++) calls.push(this.#send(idle[part]!, texts.slice(part * size, (part + 1) * size)));
    return (await Promise.all(calls)).flat();
  }

  async close(): Promise<void> {
    const threads = this.#threads;
    this.#threads = [];
    this.#started.reset();
    await Promise.all(threads.map((thread) => thread.worker.terminate()));
  }

  async #start(): Promise<void> {
    const started = await Promise.allSettled(Array.from({ length: this.#size }, () => this.#spawn()));
    const threads = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
    const failure = started.find((result) => result.status === 'rejected');
    if (failure !== undefined) {
      await Promise.all(threads.map((thread) => thread.worker.terminate()));
      throw failure.reason;
    }
    this.#threads = threads;
  }

  /** One thread, resolved once its model has loaded. */
  #spawn(): Promise<Thread> {
    const { entry, eval: isCode } = workerEntry();
    const worker = new Worker(entry, { eval: isCode, workerData: this.#config });
    const thread: Thread = { worker, inFlight: 0, sent: 0, pending: new Map() };
    return new Promise<Thread>((resolve, reject) => {
      const fail = (message: string) => {
        const error = new EmbeddingError(this.name, `worker thread: ${message}`);
        reject(error);
        for (const call of thread.pending.values()) call.reject(error);
        thread.pending.clear();
        this.#threads = this.#threads.filter((other) => other !== thread);
        // A thread lost while running: the next call starts the pool again, whole.
        if (this.#threads.length < this.#size) this.#started.reset();
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
        if (thread.pending.size > 0 || code !== 0) fail(`exited with code ${code}`);
      });
    });
  }

  #send(thread: Thread, texts: string[]): Promise<Float32Array[]> {
    const id = this.#nextId++;
    thread.inFlight += texts.length;
    thread.sent += texts.length;
    // Held open while it has work, so a pipeline waiting on it does not see an empty event loop.
    if (thread.pending.size === 0) thread.worker.ref();
    return new Promise<Float32Array[]>((resolve, reject) => {
      thread.pending.set(id, { count: texts.length, resolve, reject });
      thread.worker.postMessage({ id, texts });
    });
  }

  #settle(thread: Thread, reply: Extract<WorkerReply, { id: number }>): void {
    const call = thread.pending.get(reply.id);
    if (call === undefined) return;
    thread.pending.delete(reply.id);
    thread.inFlight -= call.count;
    if (thread.pending.size === 0) thread.worker.unref();
    if (reply.kind === 'error') {
      call.reject(new EmbeddingError(this.name, reply.message.startsWith(`${this.name}: `) ? reply.message.slice(this.name.length + 2) : reply.message));
      return;
    }
    const dimension = reply.count === 0 ? 0 : reply.data.length / reply.count;
    call.resolve(Array.from({ length: reply.count }, (_, row) => reply.data.subarray(row * dimension, (row + 1) * dimension)));
  }
}
