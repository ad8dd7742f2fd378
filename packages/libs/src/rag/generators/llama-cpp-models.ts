import { open } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { basename } from 'node:path';
import { getLogger } from '@sage/common';
import type { ChatWrapper, Llama, LlamaModel } from 'node-llama-cpp';
import { type LoadOnce, loadOnce } from '../embeddings/load-once.js';
import { GeneratorError } from './generator-error.js';
import type { LlamaGpu } from './llama-gpu.js';


/** A loaded GGUF model, what was imported to load it, and the chat format its template asks for. */
export interface LoadedModel {
  llamaCpp: typeof import('node-llama-cpp');
  llama: Llama;
  model: LlamaModel;
  /** Resolved once: matching the model's chat template takes a few hundred milliseconds. */
  chatWrapper: ChatWrapper;
}

/** One user's hold on a shared model: `release()` once, when done; the last release frees the model. */
export interface ModelLease {
  load(): Promise<LoadedModel>;
  release(): Promise<void>;
}

interface SharedModel {
  users: number;
  load: LoadOnce<LoadedModel>;
}

const OPERATOR = 'LlamaCppGenerator';
const GGUF_MAGIC = 'GGUF';

/** One llama.cpp backend per GPU setting for the process: starting one takes about a second. */
const backends = new Map<string, LoadOnce<Llama>>();
/** Loaded models by GPU setting and absolute path, shared by every generator using them. */
const models = new Map<string, SharedModel>();

/**
 * Holds the model at `modelPath` (absolute) for one user: generators with the same path and GPU setting share
 * one copy, loaded on the first `load()` (node-llama-cpp is imported only then) and freed on the last
 * `release()`. A failed load is not kept: the next `load()` tries again. Failures are `load` GeneratorErrors
 * naming the path.
 */
export function acquireModel(modelPath: string, gpu: LlamaGpu): ModelLease {
  const key = `${gpu}:${modelPath}`;
  let shared = models.get(key);
  if (shared === undefined) {
    shared = { users: 0, load: loadOnce(() => loadModel(modelPath, gpu)) };
    models.set(key, shared);
  }
  shared.users++;
  const held = shared;
  let released = false;
  return {
    load: () => held.load(),
    release: async () => {
      if (released) return;
      released = true;
      if (--held.users > 0) return;
      if (models.get(key) === held) models.delete(key);
      const loaded = await held.load.reset()?.catch(() => undefined);
      await loaded?.model.dispose();
    },
  };
}

async function loadModel(modelPath: string, gpu: LlamaGpu): Promise<LoadedModel> {
  await checkGgufFile(modelPath);
  const llamaCpp = await import('node-llama-cpp').catch((cause: unknown) => {
    // An optional peer dependency: installed by those who run local models.
    throw loadError(modelPath, `cannot import node-llama-cpp (${reason(cause)}); install it with: npm install node-llama-cpp@3.21.1`, cause);
  });
  const llama = await backend(llamaCpp, gpu).catch((cause: unknown) => {
    throw loadError(modelPath, `cannot start llama.cpp with gpu: ${JSON.stringify(gpu)} (${reason(cause)})`, cause);
  });
  const model = await llama.loadModel({ modelPath, ...(gpu === false ? {} : { gpuLayers: 'auto' as const }) }).catch((cause: unknown) => {
    throw loadError(modelPath, `llama.cpp could not load it (${reason(cause)})`, cause);
  });
  try {
    return { llamaCpp, llama, model, chatWrapper: llamaCpp.resolveChatWrapper(model) };
  } catch (cause) {
    await model.dispose();
    throw loadError(modelPath, `cannot read its chat template (${reason(cause)})`, cause);
  }
}

/**
 * The process's llama.cpp backend for `gpu`, started once. Its thread cap is the available cores, so that
 * generators evaluating at the same time split the cores instead of oversubscribing them (node-llama-cpp's
 * own default cap is at least 4). Only the installed prebuilt binaries are used: nothing is built or
 * downloaded. llama.cpp's warnings and errors go to the root logger.
 */
function backend(llamaCpp: typeof import('node-llama-cpp'), gpu: LlamaGpu): Promise<Llama> {
  const key = String(gpu);
  let started = backends.get(key);
  if (started === undefined) {
    started = loadOnce(() =>
      llamaCpp.getLlama({
        gpu,
        build: 'never',
        skipDownload: true,
        progressLogs: false,
        maxThreads: Math.max(1, availableParallelism()),
        logLevel: llamaCpp.LlamaLogLevel.warn,
        logger: (level, message) => {
          const logger = getLogger();
          const fields = { generator: OPERATOR };
          if (level === 'fatal' || level === 'error') logger.error(fields, `llama.cpp: ${message.trim()}`);
          else logger.warn(fields, `llama.cpp: ${message.trim()}`);
        },
      }),
    );
    backends.set(key, started);
  }
  return started();
}

/** Fails with a named reason when the path is not a readable file starting with the GGUF magic. */
async function checkGgufFile(modelPath: string): Promise<void> {
  let file: Awaited<ReturnType<typeof open>> | undefined;
  try {
    file = await open(modelPath, 'r');
    if (!(await file.stat()).isFile()) throw loadError(modelPath, 'it is not a file');
    const head = Buffer.alloc(GGUF_MAGIC.length);
    const { bytesRead } = await file.read(head, 0, head.length, 0);
    if (bytesRead < head.length || head.toString('latin1') !== GGUF_MAGIC) {
      throw loadError(modelPath, `it is not a GGUF file (it does not start with "${GGUF_MAGIC}")`);
    }
  } catch (error) {
    if (error instanceof GeneratorError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : reason(error);
    throw loadError(modelPath, why, error);
  } finally {
    await file?.close();
  }
}

/** The model's name as errors and the `generator` field show it: the file name without `.gguf`. */
export function modelName(modelPath: string): string {
  return basename(modelPath).replace(/\.gguf$/i, '');
}

function loadError(modelPath: string, why: string, cause?: unknown): GeneratorError {
  const details = { generator: OPERATOR, failure: 'load' as const, endpoint: modelPath, model: modelName(modelPath), attempts: 1 };
  return new GeneratorError(`${OPERATOR}: cannot load the model ${modelPath}: ${why}`, details, { cause });
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
