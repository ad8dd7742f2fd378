import type { Embedder } from './embedder.js';

interface Waiting {
  texts: readonly string[];
  resolve(vectors: Float32Array[]): void;
  reject(error: unknown): void;
}

/**
 * Merges `embed` calls made in the same turn of the event loop into one call of the wrapped embedder. Records
 * in flight together (an async `map` with `concurrency`) then reach the model as one batch, which is what
 * makes a model like USE-lite fast: 64 texts in one call ran 2-2.6x faster than 64 calls of one. A lone
 * call waits one microtask.
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
    if (this.#waiting.length === 0) queueMicrotask(() => this.#flush());
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
