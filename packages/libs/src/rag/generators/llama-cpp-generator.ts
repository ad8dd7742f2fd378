import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { ValidationError } from '@sage/common';
import type { Clock } from '@sage/kernel';
import type { ChatHistoryItem, LlamaContext, LlamaGrammar, LlamaJsonSchemaGrammar } from 'node-llama-cpp';
import { z } from 'zod';
import { parseConfig } from '../config.js';
import { type ChatMessage, promptedRecordSchema } from '../contracts.js';
import { loadOnce } from '../embeddings/load-once.js';
import type { GenerateOptions, Generation } from './generator.js';
import { GeneratorError, type GeneratorFailure } from './generator-error.js';
import { generatorOptionsShape } from './generator-options.js';
import { GeneratorFunction, type GeneratorInput } from './generator-function.js';
import { acquireModel, type LoadedModel, type ModelLease, modelName } from './llama-cpp-models.js';
import type { LlamaGpu } from './llama-gpu.js';
import { llamaJsonSchema } from './llama-json-schema.js';

const OPERATOR = 'LlamaCppGenerator';
/** The default context, when the model was trained on at least this many tokens. */
const DEFAULT_CONTEXT_SIZE = 2048;

export interface LlamaCppGeneratorConfig {
  /** A GGUF model file. Default: env `SAGE_LLM_MODEL_PATH`. */
  modelPath?: string;
  /** Threads evaluating tokens; default the available cores (at least 1). All llama.cpp generators of a process share at most the available cores. */
  threads?: number;
  /** Tokens the model sees at once (prompt and answer); default 2048, or the model's training context if smaller. */
  contextSize?: number;
  /** Most tokens to generate; default 512. */
  maxTokens?: number;
  /** 0 (node-llama-cpp's default) always takes the likeliest token. */
  temperature?: number;
  /** Makes sampling at a temperature above 0 repeatable. */
  seed?: number;
  /** A JSON schema the answer must match: generation is constrained to it and the parsed object is added as `generatedJson`. Bound strings with `maxLength` to bound the answer. */
  jsonSchema?: Record<string, unknown>;
  /** `false` (default): CPU only. Else the GPU backend to use (`auto`, `cuda`, `vulkan`, `metal`), when its node-llama-cpp binary is installed. */
  gpu?: LlamaGpu;
  /** Called with each piece of the answer as it is generated (a CLI prints them). */
  onToken?: (token: string) => void;
  /** Times `execute`; default the system clock. */
  clock?: Clock;
}

const configSchema = z.strictObject({
  modelPath: z.string().min(1).optional(),
  threads: z.number().int().positive().optional(),
  contextSize: z.number().int().positive().optional(),
  maxTokens: z.number().int().positive().default(512),
  temperature: z.number().min(0).optional(),
  seed: z.number().int().nonnegative().optional(),
  jsonSchema: llamaJsonSchema.optional(),
  gpu: z.union([z.literal(false), z.enum(['auto', 'cuda', 'vulkan', 'metal'])]).default(false),
  ...generatorOptionsShape,
});
type Options = z.infer<typeof configSchema>;

/** What one generator holds once loaded: a lease on the shared model, its own context, the JSON grammar. */
interface Loaded {
  lease: ModelLease;
  model: LoadedModel;
  context: LlamaContext;
  grammar: LlamaGrammar | undefined;
}

/**
 * Answers with a local GGUF model through node-llama-cpp (llama.cpp): reads `prompt`, adds `generated`,
 * `usage` and `generator: 'llama.cpp:<file name>'`, and with `jsonSchema` the parsed answer as
 * `generatedJson`. The model loads on first use (`open()` or the first call; node-llama-cpp is imported only
 * then) and is shared by the generators of the process using the same file; `close()` gives it back and the
 * last one frees it. Each generator has its own context and answers one call at a time (later calls wait);
 * every call starts from an empty context, so an answer depends only on its prompt and the options.
 * A missing file, a file that is not GGUF or a model llama.cpp refuses is a `load` GeneratorError naming the
 * path; an answer that does not parse as the schema is a `response` one.
 */
export class LlamaCppGenerator extends GeneratorFunction<LlamaCppGeneratorConfig> {
  readonly name: string;
  readonly operatorName = OPERATOR;
  readonly recordSchema: z.ZodType<GeneratorInput> = promptedRecordSchema;
  /** The model file, as an absolute path. */
  readonly modelPath: string;
  /** The threads passed to llama.cpp. */
  readonly threads: number;
  readonly #options: Options;
  readonly #loaded = loadOnce(() => this.#load());
  /** The call in progress (or the last one): each call waits for the one before it. */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(config?: LlamaCppGeneratorConfig) {
    super(config);
    this.#options = parseConfig(OPERATOR, configSchema, config);
    if (this.#options.clock !== undefined) this.clock = this.#options.clock;
    const modelPath = this.#options.modelPath ?? envValue('SAGE_LLM_MODEL_PATH');
    if (modelPath === undefined) {
      throw new ValidationError(`${OPERATOR}: option "modelPath": required; set it or SAGE_LLM_MODEL_PATH to a GGUF file`, {
        details: { owner: OPERATOR, option: 'modelPath' },
      });
    }
    this.modelPath = resolve(modelPath);
    this.name = `llama.cpp:${modelName(this.modelPath)}`;
    this.threads = this.#options.threads ?? Math.max(1, availableParallelism());
  }

  /** Loads the model now rather than on the first call. */
  override async open(): Promise<void> {
    await this.#loaded();
  }

  /** Frees this generator's context and gives the shared model back; a later call loads again. */
  override async close(): Promise<void> {
    await this.#queue;
    const loaded = await this.#loaded.reset()?.catch(() => undefined);
    if (loaded === undefined) return;
    await loaded.context.dispose();
    await loaded.lease.release();
  }

  generate(messages: readonly ChatMessage[], options: GenerateOptions = {}): Promise<Generation> {
    const call = this.#queue.then(() => this.#answer(messages, options));
    this.#queue = call.catch(() => undefined);
    return call;
  }

  /** The answer as it is generated. Stopping the iteration early stops the generation. */
  async *stream(messages: readonly ChatMessage[], options: GenerateOptions = {}): AsyncIterable<string> {
    const stop = new AbortController();
    const signal = options.signal === undefined ? stop.signal : AbortSignal.any([options.signal, stop.signal]);
    const pieces = new PieceQueue();
    const onToken = (piece: string) => {
      options.onToken?.(piece);
      pieces.push(piece);
    };
    const running = this.generate(messages, { ...options, signal, onToken }).then(
      () => pieces.end(),
      (error: unknown) => pieces.end(error),
    );
    try {
      yield* pieces;
    } finally {
      stop.abort();
      await running;
    }
  }

  async #load(): Promise<Loaded> {
    const lease = acquireModel(this.modelPath, this.#options.gpu);
    try {
      const model = await lease.load();
      const context = await this.#createContext(model);
      try {
        return { lease, model, context, grammar: await this.#createGrammar(model) };
      } catch (error) {
        await context.dispose();
        throw error;
      }
    } catch (error) {
      await lease.release();
      throw error;
    }
  }

  async #createContext({ model }: LoadedModel): Promise<LlamaContext> {
    const contextSize = this.#options.contextSize ?? Math.min(DEFAULT_CONTEXT_SIZE, model.trainContextSize);
    try {
      return await model.createContext({ contextSize, threads: this.threads, sequences: 1 });
    } catch (cause) {
      throw this.#error('load', `cannot create a context of ${contextSize} tokens (${describe(cause)})`, cause);
    }
  }

  async #createGrammar({ llama }: LoadedModel): Promise<LlamaGrammar | undefined> {
    const schema = this.#options.jsonSchema;
    if (schema === undefined) return undefined;
    try {
      return await llama.createGrammarForJsonSchema(schema as Parameters<typeof llama.createGrammarForJsonSchema>[0]);
    } catch (cause) {
      throw new ValidationError(`${OPERATOR}: option "jsonSchema": not a JSON schema llama.cpp can follow (${describe(cause)})`, {
        cause,
        details: { owner: OPERATOR, option: 'jsonSchema' },
      });
    }
  }

  async #answer(messages: readonly ChatMessage[], options: GenerateOptions): Promise<Generation> {
    const { model, context, grammar } = await this.#loaded();
    const { signal } = options;
    const onToken = options.onToken ?? this.#options.onToken;
    if (signal?.aborted) throw this.#error('aborted', 'the call was aborted by the caller');
    // A fresh sequence per call: nothing of an earlier answer stays in the context.
    const sequence = context.getSequence();
    const chat = new model.llamaCpp.LlamaChat({ contextSequence: sequence, chatWrapper: model.chatWrapper });
    try {
      const response = await chat.generateResponse(toHistory(messages), {
        maxTokens: this.#options.maxTokens,
        ...(this.#options.temperature === undefined ? {} : { temperature: this.#options.temperature }),
        ...(this.#options.seed === undefined ? {} : { seed: this.#options.seed }),
        ...(grammar === undefined ? {} : { grammar }),
        ...(onToken === undefined ? {} : { onTextChunk: onToken }),
        signal,
      });
      const text = response.response;
      const usage = { promptTokens: sequence.tokenMeter.usedInputTokens, completionTokens: sequence.tokenMeter.usedOutputTokens };
      if (grammar === undefined) return { text, usage };
      return { text, usage, json: this.#parse(grammar, text, response.metadata.stopReason) };
    } catch (error) {
      if (error instanceof GeneratorError) throw error;
      if (signal?.aborted) throw this.#error('aborted', 'the call was aborted by the caller', error);
      throw this.#error('response', `the model could not answer (${describe(error)})`, error);
    } finally {
      chat.dispose();
      sequence.dispose();
    }
  }

  #parse(grammar: LlamaGrammar, text: string, stopReason: string): unknown {
    try {
      return (grammar as LlamaJsonSchemaGrammar<any>).parse(text);
    } catch (cause) {
      const why = stopReason === 'maxTokens' ? `stopped at maxTokens (${this.#options.maxTokens})` : describe(cause);
      throw this.#error('response', `the answer does not match the JSON schema: ${why}`, cause);
    }
  }

  #error(failure: GeneratorFailure, reason: string, cause?: unknown): GeneratorError {
    const model = modelName(this.modelPath);
    const details = { generator: OPERATOR, failure, endpoint: this.modelPath, model, attempts: 1 };
    return new GeneratorError(`${OPERATOR}: ${this.modelPath} (model "${model}"): ${reason}`, details, { cause });
  }
}

/** The messages as node-llama-cpp's chat history, ending with the model's turn to answer. */
function toHistory(messages: readonly ChatMessage[]): ChatHistoryItem[] {
  const history: ChatHistoryItem[] = messages.map(({ role, content }) =>
    role === 'assistant' ? { type: 'model', response: [content] } : { type: role, text: content },
  );
  // A trailing assistant message is a start of the answer that the model continues.
  if (history.at(-1)?.type !== 'model') history.push({ type: 'model', response: [] });
  return history;
}

/** The pieces of an answer, pushed by a callback and read with `for await`; `end(error)` makes the reader throw. */
class PieceQueue implements AsyncIterable<string> {
  readonly #pieces: string[] = [];
  #ended = false;
  #error: unknown;
  #wake: (() => void) | undefined;

  push(piece: string): void {
    this.#pieces.push(piece);
    this.#wake?.();
  }

  end(error?: unknown): void {
    this.#ended = true;
    this.#error = error;
    this.#wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<string> {
    for (;;) {
      const piece = this.#pieces.shift();
      if (piece !== undefined) {
        yield piece;
      } else if (this.#ended) {
        if (this.#error !== undefined) throw this.#error;
        return;
      } else {
        await new Promise<void>((wake) => (this.#wake = wake));
        this.#wake = undefined;
      }
    }
  }
}

function envValue(name: string): string | undefined {
  const value = process.env[name];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
