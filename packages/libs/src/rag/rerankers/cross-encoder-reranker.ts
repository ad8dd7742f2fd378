import { MapFunction } from '@sage/kernel';
import { z } from 'zod';
import { parseConfig } from '../config.js';
import type { RetrievedRecord } from '../contracts.js';
import {
  floatsOf,
  type LocalOnnxModel,
  loadOnnxModel,
  type ModelTensor,
  type OnnxDtype,
  type OnnxModelOptions,
  onnxModelOptions,
} from '../embeddings/load-onnx-model.js';
import { loadOnce } from '../embeddings/load-once.js';
import { rerankRecord } from './rerank-order.js';

const OPERATOR = 'CrossEncoderReranker';

export interface CrossEncoderRerankerConfig {
  /**
   * The model directory, absolute or relative to the working directory, in the Hugging Face layout:
   * `config.json`, `tokenizer.json`, `tokenizer_config.json` and `onnx/model.onnx` of a sequence-classification
   * model (what `optimum-cli export onnx --task text-classification` writes for ms-marco-MiniLM-L-6-v2 or
   * bge-reranker-base).
   */
  modelPath: string;
  /** Keep the best `topK` documents; default all. */
  topK?: number;
  /** Most (query, document) pairs per model call. Default 32. */
  batchSize?: number;
  /** onnxruntime's intra-op threads. Default: the available cores. */
  threads?: number;
  /** The file in `onnx/` without the dtype suffix and `.onnx`. Default `model`. */
  modelFileName?: string;
  /** The weights' variant, as transformers.js calls it: `fp32` (default, `model.onnx`), `q8` (`model_quantized.onnx`), `fp16`, `int8`, `uint8`, `q4`, `q4f16`, `bnb4`. */
  dtype?: OnnxDtype;
}

const schema = z.strictObject({
  ...onnxModelOptions,
  topK: z.number().int().min(1).optional(),
  batchSize: z.number().int().min(1).default(32),
});

interface CrossEncoder extends LocalOnnxModel {
  /** Logits per pair: 1 (a relevance logit) or 2 (label 1 is "relevant"). */
  labels: 1 | 2;
}

/**
 * Re-scores `retrievalResults` with a cross-encoder: a local ONNX sequence-classification model reads the
 * query and each document's text together (the tokenizer's `text_pair`), in batches of `batchSize` pairs,
 * through transformers.js on onnxruntime-node's CPU backend; nothing is downloaded. Best first, keeping `topK`.
 * `score` becomes the model's relevance probability: the sigmoid of its logit for a one-logit model, the
 * softmax probability of label 1 for a two-label model (label 1 is "relevant" by the convention of binary
 * classifiers). Slower than `EmbeddingReranker` (one model run per pair) and usually more accurate. Pairs
 * longer than the tokenizer's `model_max_length` are cut at the end, in the document.
 *
 * The model loads in `open()`; a missing directory or file, a model that does not load or run, or one with
 * more than two labels is a `StorageError` naming the directory. Each parallel instance loads its own copy:
 * prefer `concurrency` to keep several records in flight.
 */
export class CrossEncoderReranker extends MapFunction<unknown, RetrievedRecord, CrossEncoderRerankerConfig> {
  private readonly settings: z.infer<typeof schema>;
  private readonly model = loadOnce(() => loadCrossEncoder(this.settings));

  constructor(config: CrossEncoderRerankerConfig) {
    super(config);
    this.settings = parseConfig(OPERATOR, schema, config);
  }

  override async open(): Promise<void> {
    await this.model();
  }

  override async close(): Promise<void> {
    const loaded = await this.model.reset()?.catch(() => undefined);
    await loaded?.model.dispose();
  }

  execute(input: unknown): Promise<RetrievedRecord> {
    return rerankRecord(OPERATOR, input, this.settings.topK, async (query, documents) => {
      const model = await this.model();
      const { batchSize } = this.settings;
      const scores: number[] = [];
      for (let start = 0; start < documents.length; start += batchSize) {
        const passages = documents.slice(start, start + batchSize).map((document) => document.text);
        scores.push(...(await scorePairs(model, query, passages)));
      }
      return scores;
    });
  }
}

function loadCrossEncoder(options: OnnxModelOptions): Promise<CrossEncoder> {
  return loadOnnxModel('AutoModelForSequenceClassification', options, async (loaded) => {
    const logits = await pairLogits(loaded, 'probe', ['probe']);
    const labels = logits.dims[1];
    if (logits.dims.length !== 2 || (labels !== 1 && labels !== 2)) {
      throw new Error(`expected logits [batch, 1] or [batch, 2] (a relevance model), got [${logits.dims.join(', ')}]`);
    }
    return { labels: labels as 1 | 2 };
  });
}

async function pairLogits(loaded: LocalOnnxModel, query: string, passages: readonly string[]): Promise<ModelTensor> {
  const inputs = loaded.tokenizer(
    passages.map(() => query),
    { text_pair: [...passages], padding: true, truncation: true },
  );
  const outputs = await loaded.model(inputs);
  if (outputs.logits === undefined) throw new Error(`expected an output logits, found ${Object.keys(outputs).join(', ') || 'none'}`);
  return outputs.logits;
}

/** One relevance probability per passage. */
async function scorePairs(model: CrossEncoder, query: string, passages: readonly string[]): Promise<number[]> {
  const logits = floatsOf(await pairLogits(model, query, passages));
  return passages.map((_, row) => (model.labels === 1 ? sigmoid(logits[row]) : sigmoid(logits[2 * row + 1] - logits[2 * row])));
}

/** For two labels, softmax's probability of label 1 is the sigmoid of the difference of the logits. */
function sigmoid(logit: number): number {
  return 1 / (1 + Math.exp(-logit));
}
