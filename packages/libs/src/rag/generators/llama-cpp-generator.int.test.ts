import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ValidationError } from '@sage/common';
import { runOperator } from '@sage/kernel/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatMessage } from '../contracts.js';
import { useCleanLlmEnv } from './__fixtures__/chat-completions-server.js';
import { TINY_GGUF, tinyGgufBytes, tinyGgufDirectory } from './__fixtures__/tiny-gguf.js';
import { AutoGenerator, selectGenerator } from './auto-generator.js';
import { GeneratorError } from './generator-error.js';
import { LlamaCppGenerator, type LlamaCppGeneratorConfig } from './llama-cpp-generator.js';
import { acquireModel } from './llama-cpp-models.js';

useCleanLlmEnv();

/** Starting llama.cpp takes about a second alone, more on a busy machine. */
const LOAD_TIMEOUT_MS = 60_000;
/** One thread: two threads sharing cores with other processes wait on each other at every step. */
const THREADS = 1;
const quiet = { logLevel: 'silent' as const, handleSignals: false };

const prompt: ChatMessage[] = [
  { role: 'system', content: 'Answer from the context.' },
  { role: 'user', content: 'What is the capital of France?' },
];

let fixture: Awaited<ReturnType<typeof tinyGgufDirectory>>;
/** Loaded once for the file; the other generators share its model. */
let generator: LlamaCppGenerator;

beforeAll(async () => {
  fixture = await tinyGgufDirectory();
  generator = new LlamaCppGenerator({ modelPath: fixture.modelPath, threads: THREADS, maxTokens: 12 });
  await generator.open();
}, LOAD_TIMEOUT_MS);

/** The generators a test made with `generatorWith`, closed after the file. */
const made: LlamaCppGenerator[] = [];

afterAll(async () => {
  for (const each of made) await each.close();
  await generator?.close();
  await fixture?.remove();
});

function generatorWith(config: LlamaCppGeneratorConfig = {}): LlamaCppGenerator {
  const created = new LlamaCppGenerator({ modelPath: fixture.modelPath, threads: THREADS, ...config });
  made.push(created);
  return created;
}

async function failure<E extends Error>(promise: Promise<unknown>, type: new (...args: any[]) => E): Promise<E> {
  const error = await promise.then(
    () => undefined,
    (rejection: unknown) => rejection,
  );
  expect(error).toBeInstanceOf(type);
  return error as E;
}

describe('LlamaCppGenerator on a tiny GGUF model', () => {
  it('answers a prompt record: generated, usage, generator and its timing; other fields pass through', async () => {
    const records = [{ query: 'capital of France?', prompt, references: ['Paris'] }];
    const config = { modelPath: fixture.modelPath, threads: THREADS, maxTokens: 8 };
    const { output } = await runOperator('map', LlamaCppGenerator, { records, config, environment: quiet });

    expect(output).toHaveLength(1);
    const [record] = output;
    expect(record.generated).toMatch(/\S/);
    expect(record.generator).toBe('llama.cpp:tiny');
    expect(record.usage.completionTokens).toBe(8);
    expect(record.usage.promptTokens).toBeGreaterThan(10);
    expect(record.references).toEqual(['Paris']);
    expect(record.timings.LlamaCppGenerator).toBeGreaterThanOrEqual(0);
    expect(record.generatedJson).toBeUndefined();
  });

  it('streams pieces whose concatenation is the answer generate() gives', async () => {
    const pieces: string[] = [];
    for await (const piece of generator.stream(prompt)) pieces.push(piece);
    const seen: string[] = [];
    const generation = await generator.generate(prompt, { onToken: (piece) => seen.push(piece) });

    expect(pieces.length).toBeGreaterThan(1);
    expect(pieces.join('')).toBe(generation.text);
    expect(seen).toEqual(pieces);
  });

  it('stops generating when the reader of stream() stops early, and answers the next call', async () => {
    const pieces: string[] = [];
    for await (const piece of generatorWith({ maxTokens: 400 }).stream(prompt)) {
      pieces.push(piece);
      if (pieces.length === 2) break;
    }
    expect(pieces).toHaveLength(2);
    await expect(generator.generate(prompt)).resolves.toMatchObject({ usage: { completionTokens: 12 } });
  });

  it('respects maxTokens (the tiny model never ends an answer by itself)', async () => {
    for (const maxTokens of [1, 5, 20]) {
      const generation = await generatorWith({ maxTokens }).generate(prompt);
      expect(generation.usage?.completionTokens).toBe(maxTokens);
    }
  });

  it('answers each call as if alone: same prompt, same answer, also when calls overlap', async () => {
    const alone = await generator.generate(prompt);
    const overlapping = await Promise.all([generator.generate(prompt), generator.generate(prompt), generator.generate(prompt)]);
    expect(overlapping.map((generation) => generation.text)).toEqual([alone.text, alone.text, alone.text]);
  });

  it('samples repeatably with a temperature and a seed', async () => {
    const sampled = generatorWith({ maxTokens: 16, temperature: 1, seed: 7 });
    const first = await sampled.generate(prompt);
    const second = await sampled.generate(prompt);
    expect(second.text).toBe(first.text);
  });

  it('constrains the answer to a JSON schema and adds the parsed object as generatedJson', async () => {
    const jsonSchema = {
      type: 'object',
      properties: { answer: { type: 'string', maxLength: 24 }, confidence: { type: 'number' } },
      required: ['answer', 'confidence'],
    };
    const records = [{ query: 'capital of France?', prompt }];
    const config = { modelPath: fixture.modelPath, threads: THREADS, jsonSchema, maxTokens: 200 };
    const { output } = await runOperator('map', LlamaCppGenerator, { records, config, environment: quiet });

    const [record] = output;
    const parsed = JSON.parse(record.generated);
    expect(Object.keys(parsed).sort()).toEqual(['answer', 'confidence']);
    expect(typeof parsed.answer).toBe('string');
    expect(parsed.answer.length).toBeLessThanOrEqual(24);
    expect(typeof parsed.confidence).toBe('number');
    expect(record.generatedJson).toEqual(parsed);
  });

  it('fails with a response GeneratorError when maxTokens cuts a JSON answer short', async () => {
    const jsonSchema = { type: 'object', properties: { answer: { type: 'string' } }, required: ['answer'] };
    const cut = generatorWith({ jsonSchema, maxTokens: 3 });
    const error = await failure(cut.generate(prompt), GeneratorError);
    expect(error.failure).toBe('response');
    expect(error.message).toContain('does not match the JSON schema: stopped at maxTokens (3)');
    expect(error.message).toContain(fixture.modelPath);
  });

  it('rejects with an aborted GeneratorError when the caller aborts', async () => {
    const controller = new AbortController();
    const pieces: string[] = [];
    const running = generatorWith({ maxTokens: 400 }).generate(prompt, {
      signal: controller.signal,
      onToken: (piece) => {
        pieces.push(piece);
        if (pieces.length === 3) controller.abort();
      },
    });
    const error = await failure(running, GeneratorError);
    expect(error.failure).toBe('aborted');
    expect(pieces.length).toBeLessThan(400);
  });

  it('passes threads explicitly: the available cores by default', () => {
    expect(new LlamaCppGenerator({ modelPath: fixture.modelPath }).threads).toBe(Math.max(1, availableParallelism()));
    expect(generatorWith({ threads: 3 }).threads).toBe(3);
  });

  it('shares one model between users of the same file and frees it after the last release', async () => {
    const first = acquireModel(fixture.modelPath, false);
    const second = acquireModel(fixture.modelPath, false);
    const [a, b] = await Promise.all([first.load(), second.load()]);
    expect(a.model).toBe(b.model);
    expect(a.model.trainContextSize).toBe(TINY_GGUF.contextLength);

    await first.release();
    expect(a.model.disposed).toBe(false);
    await second.release();
    // The generator of this file still holds it.
    expect(a.model.disposed).toBe(false);

    const alone = join(fixture.directory, 'alone.gguf');
    await writeFile(alone, tinyGgufBytes(7));
    const lease = acquireModel(alone, false);
    const { model } = await lease.load();
    await lease.release();
    expect(model.disposed).toBe(true);
  });
});

describe('LlamaCppGenerator: bad inputs', () => {
  it('names the path when there is no file, no GGUF file, or a GGUF file llama.cpp refuses', async () => {
    const missing = join(fixture.directory, 'missing.gguf');
    const text = join(fixture.directory, 'notes.gguf');
    const truncated = join(fixture.directory, 'truncated.gguf');
    const folder = join(fixture.directory, 'folder.gguf');
    await writeFile(text, 'these are not weights\n');
    await writeFile(truncated, tinyGgufBytes().subarray(0, 20_000));
    await mkdir(folder);

    for (const [modelPath, reason] of [
      [missing, 'no such file'],
      [text, 'it is not a GGUF file (it does not start with "GGUF")'],
      [folder, 'it is not a file'],
      [truncated, 'llama.cpp could not load it'],
    ] as const) {
      const error = await failure(new LlamaCppGenerator({ modelPath }).open(), GeneratorError);
      expect(error.message).toContain(`LlamaCppGenerator: cannot load the model ${modelPath}: ${reason}`);
      expect(error).toMatchObject({ failure: 'load', endpoint: modelPath, code: 'SAGE_SERVICE' });
    }
  });

  it('fails the job when the model cannot load, naming the path', async () => {
    const modelPath = join(fixture.directory, 'absent.gguf');
    const run = runOperator('map', LlamaCppGenerator, { records: [{ query: 'q', prompt }], config: { modelPath }, environment: quiet });
    await expect(run).rejects.toThrow(`cannot load the model ${modelPath}: no such file`);
  });

  it('rejects bad options naming the option', async () => {
    const modelPath = fixture.modelPath;
    expect(() => new LlamaCppGenerator()).toThrow(
      'LlamaCppGenerator: option "modelPath": required; set it or SAGE_LLM_MODEL_PATH to a GGUF file',
    );
    expect(() => new LlamaCppGenerator({ modelPath, threads: 0 })).toThrow(/^LlamaCppGenerator: option "threads": /);
    expect(() => new LlamaCppGenerator({ modelPath, maxTokens: 1.5 })).toThrow(/^LlamaCppGenerator: option "maxTokens": /);
    expect(() => new LlamaCppGenerator({ modelPath, gpu: true as never })).toThrow(/^LlamaCppGenerator: option "gpu": /);
    expect(() => new LlamaCppGenerator({ modelPath, thread: 2 } as never)).toThrow(/^LlamaCppGenerator: config: .*"thread"/);
    for (const config of [{ modelPath, threads: 0 }, { modelPath: '' }]) {
      expect(() => new LlamaCppGenerator(config)).toThrow(ValidationError);
    }
  });

  it('rejects a JSON schema node-llama-cpp would quietly misread, naming where', () => {
    const modelPath = fixture.modelPath;
    expect(() => new LlamaCppGenerator({ modelPath, jsonSchema: {} })).toThrow(
      'LlamaCppGenerator: option "jsonSchema": expected a JSON schema with "type", "const", "enum", "oneOf" or "$ref"',
    );
    const nested = { type: 'object', properties: { answer: { type: 'text' } } };
    expect(() => new LlamaCppGenerator({ modelPath, jsonSchema: nested })).toThrow(
      /^LlamaCppGenerator: option "jsonSchema\.properties\.answer\.type": /,
    );
    expect(() => new LlamaCppGenerator({ modelPath, jsonSchema: { enum: 'yes' } })).toThrow(/^LlamaCppGenerator: option "jsonSchema\.enum": /);
    // Keywords node-llama-cpp ignores are allowed.
    expect(() => new LlamaCppGenerator({ modelPath, jsonSchema: { $schema: 'x', title: 'T', type: 'string' } })).not.toThrow();
  });

  it('reads the model path from SAGE_LLM_MODEL_PATH', () => {
    process.env.SAGE_LLM_MODEL_PATH = fixture.modelPath;
    expect(new LlamaCppGenerator().modelPath).toBe(resolve(fixture.modelPath));
  });
});

describe('AutoGenerator with SAGE_LLM_MODEL_PATH', () => {
  it('picks llama.cpp and answers with it', async () => {
    process.env.SAGE_LLM_MODEL_PATH = fixture.modelPath;
    const selection = selectGenerator();
    expect(selection).toMatchObject({ provider: 'llama.cpp', reason: 'SAGE_LLM_MODEL_PATH is set' });
    expect(selection.generator).toBeInstanceOf(LlamaCppGenerator);
    expect(selection.notice).toBeUndefined();

    const records = [{ query: 'capital of France?', prompt }];
    const config = { providerOptions: { 'llama.cpp': { maxTokens: 4 } } };
    const { output } = await runOperator('map', AutoGenerator, { records, config, environment: quiet });
    expect(output[0]).toMatchObject({ generator: 'llama.cpp:tiny', usage: { completionTokens: 4 } });
  });
});

describe('@sage/libs/rag without node-llama-cpp', () => {
  it('imports the RAG library without importing node-llama-cpp', async () => {
    const repository = fileURLToPath(new URL('../../../../../', import.meta.url));
    const hooks = join(fixture.directory, 'hooks.mjs');
    const register = join(fixture.directory, 'register.mjs');
    // A resolve hook that refuses node-llama-cpp: importing the library must still succeed.
    await writeFile(
      hooks,
      `export async function resolve(specifier, context, next) {
        if (specifier === 'node-llama-cpp' || specifier.startsWith('node-llama-cpp/')) throw new Error('node-llama-cpp was imported');
        return next(specifier, context);
      }\n`,
    );
    await writeFile(register, `import { register } from 'node:module';\nregister(${JSON.stringify(`file://${hooks}`)});\n`);
    const script = `
      const rag = await import(${JSON.stringify(join(repository, 'packages/libs/src/rag/index.ts'))});
      if (typeof rag.LlamaCppGenerator !== 'function') throw new Error('LlamaCppGenerator is not exported');
      const refused = await import('node-llama-cpp').then(() => false, (error) => error.message.includes('was imported'));
      console.log(refused ? 'not imported' : 'the hook did not run');
    `;
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--import', register, '--input-type=module', '-e', script], {
      cwd: repository,
      env: { ...process.env, SAGE_LOG_LEVEL: 'silent' },
    });
    expect(stdout.trim()).toBe('not imported');
  }, 60_000);
});
