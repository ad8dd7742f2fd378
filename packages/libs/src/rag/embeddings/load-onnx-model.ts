import { stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { SageError, StorageError } from '@sage/common';
import { z } from 'zod';
import { loadOnce } from './load-once.js';

/**
 * The weights' variants, as transformers.js names them (`dtype`), and the file each reads from `onnx/`:
 * `fp32` is `model.onnx`, `q8` is `model_quantized.onnx`, and so on.
 */
export const ONNX_DTYPE_SUFFIXES = {
  fp32: '',
  fp16: '_fp16',
  q8: '_quantized',
  int8: '_int8',
  uint8: '_uint8',
  q4: '_q4',
  q4f16: '_q4f16',
  bnb4: '_bnb4',
} as const;

export type OnnxDtype = keyof typeof ONNX_DTYPE_SUFFIXES;

/** The options every local ONNX model takes; spread into the owner's `z.strictObject`. */
export const onnxModelOptions = {
  modelPath: z.string().min(1),
  modelFileName: z
    .string()
    .regex(/^(?!.*\.onnx$)[\w.-]+$/, { error: 'expected the name of a file in onnx/ without the dtype suffix and ".onnx", e.g. "model"' })
    .default('model'),
  dtype: z.enum(Object.keys(ONNX_DTYPE_SUFFIXES) as [OnnxDtype, ...OnnxDtype[]]).default('fp32'),
  threads: z
    .number()
    .int()
    .min(1)
    .default(() => availableParallelism()),
};

export interface OnnxModelOptions {
  modelPath: string;
  modelFileName: string;
  dtype: OnnxDtype;
  threads: number;
}

/** The parts of a transformers.js tensor used here; its own types are kept out of ours. */
export interface ModelTensor {
  readonly type: string;
  readonly dims: readonly number[];
  readonly data: ArrayLike<number> | ArrayLike<bigint>;
  to(type: 'float32'): ModelTensor;
}

export interface TokenizerOptions {
  text_pair?: string[];
  padding: true;
  truncation: true;
}

/** A tokenizer and a model of one directory, as transformers.js loaded them. */
export interface LocalOnnxModel {
  /** Absolute. */
  readonly directory: string;
  readonly tokenizer: (texts: string[], options: TokenizerOptions) => Record<string, ModelTensor>;
  readonly model: ((inputs: Record<string, ModelTensor>) => Promise<Record<string, ModelTensor>>) & { dispose(): Promise<unknown> };
}

/** Which transformers.js class loads the model: a bare encoder, or one with a classification head. */
export type OnnxModelKind = 'AutoModel' | 'AutoModelForSequenceClassification';

const REQUIRED_FILES = ['config.json', 'tokenizer.json', 'tokenizer_config.json'];

type Transformers = typeof import('@huggingface/transformers');

/**
 * transformers.js, imported on first use (importing the RAG library must stay cheap) and set up once for the
 * process never to download: remote models are refused and the file cache is off, so a model is read from
 * its directory and nowhere else.
 */
const transformers = loadOnce(async (): Promise<Transformers> => {
  // An optional peer dependency. Its onnxruntime-node downloads GPU libraries at install unless told not to.
  const library = await import('@huggingface/transformers').catch((cause: unknown) => {
    throw new SageError(
      'SAGE_NATIVE',
      `cannot import @huggingface/transformers (${cause instanceof Error ? cause.message : String(cause)}); install it with: ONNXRUNTIME_NODE_INSTALL=skip npm install @huggingface/transformers@4.3.1`,
      { cause },
    );
  });
  library.env.allowRemoteModels = false;
  library.env.allowLocalModels = true;
  library.env.useFSCache = false;
  return library;
});

/** The path, relative to the model directory, of the ONNX file the options select. */
export function onnxFileOf(options: Pick<OnnxModelOptions, 'modelFileName' | 'dtype'>): string {
  return `onnx/${options.modelFileName}${ONNX_DTYPE_SUFFIXES[options.dtype]}.onnx`;
}

/**
 * Loads the tokenizer and the model of a local directory in the Hugging Face layout on the CPU, with
 * `threads` intra-op threads (onnxruntime's own default can oversubscribe a shared machine), then runs
 * `inspect` on it once to learn what the caller needs (a dimension, a label count) and to find a model that
 * loads but does not run. A failure of the directory or the model is a `StorageError` naming the directory;
 * the model is freed when `inspect` fails.
 */
export async function loadOnnxModel<T>(
  kind: OnnxModelKind,
  options: OnnxModelOptions,
  inspect: (loaded: LocalOnnxModel) => Promise<T>,
): Promise<LocalOnnxModel & T> {
  const directory = resolve(options.modelPath);
  const modelFile = onnxFileOf(options);
  await checkModelDirectory(directory, [...REQUIRED_FILES, modelFile]);
  const library = await transformers();
  let loaded: LocalOnnxModel;
  try {
    // The absolute path, not a model id: transformers.js then reads it as is, never below env.localModelPath.
    const tokenizer = await library.AutoTokenizer.from_pretrained(directory, { local_files_only: true });
    const model = await library[kind].from_pretrained(directory, {
      local_files_only: true,
      device: 'cpu',
      dtype: options.dtype,
      model_file_name: options.modelFileName,
      session_options: { intraOpNumThreads: options.threads },
    });
    loaded = { directory, tokenizer, model } as unknown as LocalOnnxModel;
  } catch (cause) {
    throw new StorageError(directory, `cannot load the model (${modelFile}): ${reasonOf(cause)}`, { cause });
  }
  try {
    return { ...loaded, ...(await inspect(loaded)) };
  } catch (cause) {
    await loaded.model.dispose().catch(() => undefined);
    throw cause instanceof StorageError ? cause : new StorageError(directory, `the model does not run: ${reasonOf(cause)}`, { cause });
  }
}

/** The tensor's values as float32 (a fp16 model answers in half precision). */
export function floatsOf(tensor: ModelTensor): Float32Array {
  return (tensor.type === 'float32' ? tensor.data : tensor.to('float32').data) as Float32Array;
}

async function checkModelDirectory(directory: string, files: readonly string[]): Promise<void> {
  const found = await stat(directory).catch(() => undefined);
  if (found === undefined) throw new StorageError(directory, 'no such model directory');
  if (!found.isDirectory()) throw new StorageError(directory, 'is not a directory (a model directory holds config.json, tokenizer.json, tokenizer_config.json and onnx/)');
  const present = await Promise.all(files.map((file) => stat(join(directory, file)).then((entry) => entry.isFile(), () => false)));
  const missing = files.filter((_, index) => !present[index]);
  if (missing.length > 0) {
    throw new StorageError(directory, `missing ${missing.join(', ')} (a model directory holds ${files.join(', ')}; export one with \`optimum-cli export onnx\`)`);
  }
}

function reasonOf(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}
