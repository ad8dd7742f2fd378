import { basename, resolve } from 'node:path';
import { z } from 'zod';
import { parseConfig } from '../config.js';
import { embedInBatches } from './embed-in-batches.js';
import type { Embedder } from './embedder.js';
import { EmbeddingError } from './embedding-error.js';
import { floatsOf, type LocalOnnxModel, loadOnnxModel, type ModelTensor, type OnnxDtype, onnxFileOf, onnxModelOptions } from './load-onnx-model.js';
import { loadOnce } from './load-once.js';
import { l2Normalize } from './vectors.js';

export interface OnnxEmbedderConfig {
  /**
   * The model directory, absolute or relative to the working directory, in the Hugging Face layout:
   * `config.json`, `tokenizer.json`, `tokenizer_config.json` and `onnx/model.onnx` (what `optimum-cli export
   * onnx --task feature-extraction` writes).
   */
  modelPath: string;
  /** How token vectors become one vector: `mean` over the real tokens (default) or the first token (`cls`). Use what the model was trained with. */
  pooling?: 'mean' | 'cls';
  /** Scale vectors to unit length. Default true. */
  normalize?: boolean;
  /** Most texts per model call. Default 32. */
  batchSize?: number;
  /** onnxruntime's intra-op threads. Default: the available cores. */
  threads?: number;
  /** The file in `onnx/` without the dtype suffix and `.onnx`. Default `model`. */
  modelFileName?: string;
  /** The weights' variant, as transformers.js calls it: `fp32` (default, `model.onnx`), `q8` (`model_quantized.onnx`), `fp16`, `int8`, `uint8`, `q4`, `q4f16`, `bnb4`. */
  dtype?: OnnxDtype;
}

const configSchema = z.strictObject({
  ...onnxModelOptions,
  pooling: z.enum(['mean', 'cls']).default('mean'),
  normalize: z.boolean().default(true),
  batchSize: z.number().int().min(1).default(32),
});

type Settings = z.infer<typeof configSchema>;

interface EmbeddingModel extends LocalOnnxModel {
  dimension: number;
}

/**
 * Embeddings from a local ONNX model directory (sentence-transformers models such as all-MiniLM-L6-v2,
 * bge-small, e5-small), through transformers.js on onnxruntime-node's CPU backend. Nothing is downloaded:
 * the directory is the only source. The model loads on first use (the modules are imported only then) and
 * the dimension is read from its output; a missing directory or file, or a model that does not load or run,
 * is an `EmbeddingError` naming the directory. Padding in a batch does not change a text's vector: mean
 * pooling counts only the tokens the attention mask marks as real. Texts longer than the tokenizer's
 * `model_max_length` are cut to it.
 *
 * `name` is `onnx:<directory name>`, followed by the options that change the vectors when they differ from
 * the defaults (`onnx:bge-small+cls+model_quantized`), so that two configurations with different vectors do
 * not share cache entries or pass for the embedder a collection was indexed with.
 */
export class OnnxEmbedder implements Embedder {
  readonly name: string;
  /** The model directory, absolute. */
  readonly directory: string;
  private readonly settings: Settings;
  private learntDimension: number | undefined;
  private readonly model = loadOnce(() => this.load());

  constructor(config: OnnxEmbedderConfig) {
    this.settings = parseConfig('OnnxEmbedder', configSchema, config);
    this.directory = resolve(this.settings.modelPath);
    this.name = embedderName(this.directory, this.settings);
  }

  get dimension(): number {
    if (this.learntDimension === undefined) {
      throw new EmbeddingError(this.name, 'the dimension is read from the model: call init() or embed() first');
    }
    return this.learntDimension;
  }

  async init(): Promise<void> {
    await this.model();
  }

  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    if (texts.length === 0) return [];
    const model = await this.model();
    return embedInBatches({ name: this.name, embed: (batch) => this.embedBatch(model, batch) }, texts, this.settings.batchSize);
  }

  async close(): Promise<void> {
    const loaded = await this.model.reset()?.catch(() => undefined);
    await loaded?.model.dispose();
  }

  private async load(): Promise<EmbeddingModel> {
    try {
      const model = await loadOnnxModel('AutoModel', this.settings, async (loaded) => ({
        dimension: (await tokenStates(loaded, ['dimension probe'])).states.dims[2],
      }));
      this.learntDimension = model.dimension;
      return model;
    } catch (cause) {
      const reason = cause instanceof Error ? cause.message : String(cause);
      throw new EmbeddingError(this.name, `cannot load the model: ${reason}`, { cause });
    }
  }

  private async embedBatch(model: EmbeddingModel, texts: readonly string[]): Promise<Float32Array[]> {
    const { states, mask } = await tokenStates(model, texts);
    const [, , dimension] = states.dims;
    if (dimension !== model.dimension) throw new EmbeddingError(this.name, `returned ${dimension}-d token vectors, expected ${model.dimension}-d`);
    const vectors = pool(floatsOf(states), states.dims, mask, this.settings.pooling);
    return this.settings.normalize ? vectors.map(l2Normalize) : vectors;
  }
}

/** The model's token vectors `[batch, sequence, dimension]` for `texts`, and the attention mask of the padded batch. */
async function tokenStates(loaded: LocalOnnxModel, texts: readonly string[]): Promise<{ states: ModelTensor; mask: ModelTensor }> {
  const inputs = loaded.tokenizer([...texts], { padding: true, truncation: true });
  const outputs = await loaded.model(inputs);
  // `token_embeddings` is what some sentence-transformers exports call the same output.
  const states = outputs.last_hidden_state ?? outputs.token_embeddings;
  if (states === undefined || states.dims.length !== 3) {
    const found = Object.entries(outputs).map(([name, tensor]) => `${name} [${tensor.dims.join(', ')}]`);
    throw new Error(`expected an output last_hidden_state [batch, sequence, dimension], found ${found.join(', ') || 'none'}`);
  }
  return { states, mask: inputs.attention_mask! };
}

/** One vector per row: the mean of the token vectors the mask marks as real, or the first token's vector. */
function pool(states: Float32Array, dims: readonly number[], mask: ModelTensor, pooling: 'mean' | 'cls'): Float32Array[] {
  const [batch, length, dimension] = dims as [number, number, number];
  const real = mask.data as ArrayLike<bigint>;
  return Array.from({ length: batch }, (_, row) => {
    const first = row * length * dimension;
    if (pooling === 'cls') return states.slice(first, first + dimension);
    const vector = new Float32Array(dimension);
    let count = 0;
    for (let token = 0; token < length; token++) {
      if (real[row * length + token] === 0n) continue;
      count++;
      const offset = first + token * dimension;
      for (let d = 0; d < dimension; d++) vector[d] += states[offset + d];
    }
    for (let d = 0; d < dimension; d++) vector[d] /= Math.max(count, 1);
    return vector;
  });
}

function embedderName(directory: string, settings: Settings): string {
  const file = onnxFileOf(settings);
  const variant = [
    settings.pooling === 'cls' ? 'cls' : undefined,
    settings.normalize ? undefined : 'unnormalized',
    file === onnxFileOf({ modelFileName: 'model', dtype: 'fp32' }) ? undefined : basename(file, '.onnx'),
  ];
  return [`onnx:${basename(directory)}`, ...variant.filter((part) => part !== undefined)].join('+');
}
