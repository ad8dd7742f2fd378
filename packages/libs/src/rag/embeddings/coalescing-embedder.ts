import type { Embedder } from './embedder.js';

interface Waiting {
  texts: readonly string[];
  resolve(vectors: Float32Array[]): void;
  reject(error: unknown): void;
}

/**
 * Merges the `embed` calls made in one turn of the event loop into one call of the wrapped embedder. Records
 * in flight together (an async `map` with `concurrency`) then reach the model as one batch, which is what
 * makes a model like USE-lite fast: 8 texts in one call ran 2x faster than 8 calls of one. A lone call waits
 * one turn of the event loop.
 */
export class CoalescingEmbedder implements Embedder {
  readonly embedder: Embedder;
  #waiting: Waiting[] = [];

  constructor(embedder: Embedder) {
    this.embedder = embedder;
  }

  get name(): string {
    return this.embedder.name;
  }

  get dimension(): number {
    return this.embedder.dimension;
  }

  init(): Promise<void> {
    return this.embedder.init();
  }

  close(): Promise<void> {
    return this.embedder.close?.() ?? Promise.resolve();
  }

  embed(texts: readonly string[]): Promise<Float32Array[]> {
    // setImmediate, not a microtask: an async map refills its free slots over several microtasks, and all of
    // them should join the batch. A model call takes milliseconds; the wait is a turn of the event loop.
    if (this.#waiting.length === 0) setImmediate(() => this.#flush());
    return new Promise<Float32Array[]>((resolve, reject) => this.#waiting.push({ texts: [...texts], resolve, reject }));
  }

  #flush(): void {
    const waiting = this.#waiting;
    this.#waiting = [];
    let all: Promise<Float32Array[]>;
    try {
      all = this.embedder.embed(waiting.flatMap((call) => call.texts));
    } catch (error) {
      all = Promise.reject(error);
    }
    all.then(
      (vectors) => {
        let at = 0;
        for (const call of waiting) {
          call.resolve(vectors.slice(at, at + call.texts.length));
          at += call.texts.length;
        }
      },
      (error: unknown) => {
        for (const call of waiting) call.reject(error);
      },
    );
  }
}
