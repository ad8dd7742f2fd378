import type { Logger } from '@sage/common';
import type { FunctionContext } from '@sage/kernel';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RetrievedDocument } from '../contracts.js';
import {
  type ChatCompletionsServer,
  completion,
  sendJson,
  startChatCompletionsServer,
  useCleanLlmEnv,
} from './__fixtures__/chat-completions-server.js';

useCleanLlmEnv();

const quiet = { logLevel: 'silent' as const, handleSignals: false };

/**
 * The generators with fresh module state (the once-per-process notice, the provider registry) and the
 * kernel's test harness from the same module graph.
 */
async function fresh() {
  vi.resetModules();
  const generators = await import('./index.js');
  const { runOperator } = await import('@sage/kernel/testing');
  return { ...generators, runOperator };
}

function recordingLogger() {
  const warnings: Array<{ fields: Record<string, unknown>; message: string }> = [];
  const logger = {
    warn: (fields: Record<string, unknown>, message: string) => warnings.push({ fields, message }),
  } as unknown as Logger;
  return { logger, warnings };
}

const documents: RetrievedDocument[] = [
  { id: 'canberra', text: 'Canberra is the capital of Australia. It was founded in 1913.', score: 0.9, metadata: {} },
  { id: 'paris', text: 'Paris is the capital of France.', score: 0.5, metadata: {} },
];

let server: ChatCompletionsServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('selectGenerator / createGenerator', () => {
  it('falls back to the extractive answerer when no LLM is configured, and says so once per process', async () => {
    const { createGenerator, selectGenerator, AutoGenerator } = await fresh();
    const { logger, warnings } = recordingLogger();

    const selection = selectGenerator();
    expect(selection.provider).toBe('extractive');
    expect(selection.reason).toBe('no LLM is configured');
    expect(selection.notice).toMatch(/^no LLM is configured: falling back to the extractive answerer/);

    const first = createGenerator({ logger });
    const second = createGenerator({ logger });
    const operator = new AutoGenerator();
    operator.ctx = { logger } as FunctionContext;
    await operator.open();

    expect([first.name, second.name, operator.name]).toEqual(['extractive', 'extractive', 'extractive']);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.message).toBe(selection.notice);
    expect(warnings[0]!.fields).toMatchObject({ generator: 'extractive', reason: 'no LLM is configured' });
  });

  it('picks the OpenAI-compatible generator when OPENAI_API_KEY is set, silently', async () => {
    process.env.OPENAI_API_KEY = 'sk-test-auto';
    const { createGenerator, selectGenerator, OpenAIGenerator } = await fresh();
    const { logger, warnings } = recordingLogger();

    const selection = selectGenerator();
    expect(selection).toMatchObject({ provider: 'openai', reason: 'OPENAI_API_KEY is set' });
    expect(selection.notice).toBeUndefined();
    const generator = createGenerator({ logger });
    expect(generator).toBeInstanceOf(OpenAIGenerator);
    expect(generator.name).toBe('openai:gpt-4o-mini');
    expect(warnings).toEqual([]);
  });

  it('picks the OpenAI-compatible generator for SAGE_LLM_BASE_URL without a key', async () => {
    process.env.SAGE_LLM_BASE_URL = 'http://127.0.0.1:8000/v1';
    process.env.SAGE_LLM_MODEL = 'local-model';
    const { selectGenerator } = await fresh();

    const selection = selectGenerator();
    expect(selection).toMatchObject({ provider: 'openai', reason: 'SAGE_LLM_BASE_URL is set' });
    expect(selection.generator.name).toBe('openai:local-model');
  });

  it('picks the llama.cpp generator when SAGE_LLM_MODEL_PATH is set, without loading the model yet', async () => {
    process.env.SAGE_LLM_MODEL_PATH = '/models/tiny.gguf';
    const { selectGenerator, LlamaCppGenerator } = await fresh();

    const selection = selectGenerator({ providerOptions: { 'llama.cpp': { threads: 1 } } });
    expect(selection).toMatchObject({ provider: 'llama.cpp', reason: 'SAGE_LLM_MODEL_PATH is set' });
    expect(selection.notice).toBeUndefined();
    expect(selection.generator).toBeInstanceOf(LlamaCppGenerator);
    expect(selection.generator).toMatchObject({ name: 'llama.cpp:tiny', modelPath: '/models/tiny.gguf', threads: 1 });
  });

  it('says "<name> generator not installed" for a detected provider without create, and falls back', async () => {
    process.env.SAGE_LLM_MODEL_PATH = '/models/tiny.gguf';
    const { createGenerator, selectGenerator, registerGeneratorProvider } = await fresh();
    const { logger, warnings } = recordingLogger();
    registerGeneratorProvider({
      name: 'llama.cpp',
      priority: 20,
      detect: (env) => (env.SAGE_LLM_MODEL_PATH ? 'SAGE_LLM_MODEL_PATH is set' : undefined),
    });

    const selection = selectGenerator();
    expect(selection.provider).toBe('extractive');
    expect(selection.reason).toContain('llama.cpp generator not installed (SAGE_LLM_MODEL_PATH is set)');
    expect(createGenerator({ logger }).name).toBe('extractive');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.message).toContain('llama.cpp generator not installed');
    expect(warnings[0]!.message).toContain('falling back to the extractive answerer');
  });

  it('prefers an OpenAI-compatible endpoint to a model path', async () => {
    process.env.SAGE_LLM_MODEL_PATH = '/models/tiny.gguf';
    process.env.OPENAI_API_KEY = 'sk-test-auto';
    const { selectGenerator } = await fresh();
    expect(selectGenerator().provider).toBe('openai');
  });

  it('uses a registered provider in place of the built-in one of the same name', async () => {
    process.env.SAGE_LLM_MODEL_PATH = '/models/tiny.gguf';
    const { selectGenerator, registerGeneratorProvider, generatorProviders, ExtractiveGenerator } = await fresh();
    // Any GeneratorFunction will do.
    class StandIn extends ExtractiveGenerator {
      override readonly name = 'llama.cpp:tiny';
    }
    let received: unknown;
    registerGeneratorProvider({
      name: 'llama.cpp',
      priority: 20,
      detect: (env) => (env.SAGE_LLM_MODEL_PATH ? 'SAGE_LLM_MODEL_PATH is set' : undefined),
      create: (options) => {
        received = options;
        return new StandIn();
      },
    });

    expect(generatorProviders().map((provider) => provider.name)).toEqual(['openai', 'llama.cpp', 'extractive']);
    const selection = selectGenerator({ providerOptions: { 'llama.cpp': { threads: 2 } } });
    expect(selection).toMatchObject({ provider: 'llama.cpp', reason: 'SAGE_LLM_MODEL_PATH is set' });
    expect(selection.notice).toBeUndefined();
    expect(selection.generator.name).toBe('llama.cpp:tiny');
    expect(received).toEqual({ threads: 2 });
  });

  it('uses the provider named in the config, whatever the environment says', async () => {
    process.env.OPENAI_API_KEY = 'sk-test-auto';
    const { selectGenerator } = await fresh();

    const selection = selectGenerator({ provider: 'extractive', extractive: { maxSentences: 1 } });
    expect(selection).toMatchObject({ provider: 'extractive', reason: 'chosen in the config' });
    expect(selection.notice).toBeUndefined();
    await expect(selection.generator.generate([], { query: 'capital of Australia', context: documents })).resolves.toMatchObject({
      citations: [{ id: 'canberra' }],
    });
  });

  it('rejects an unknown or uninstalled provider and bad options, naming the class and the option', async () => {
    process.env.OPENAI_API_KEY = 'sk-test-auto';
    const { selectGenerator, AutoGenerator, registerGeneratorProvider } = await fresh();

    expect(() => selectGenerator({ provider: 'gpt' })).toThrow(
      'AutoGenerator: option "provider": unknown generator "gpt" (known: auto, openai, llama.cpp, extractive)',
    );
    expect(() => selectGenerator({ provider: 'llama.cpp' })).toThrow('LlamaCppGenerator: option "modelPath": required');
    registerGeneratorProvider({ name: 'vllm', priority: 15, detect: () => undefined });
    expect(() => selectGenerator({ provider: 'vllm' })).toThrow('AutoGenerator: option "provider": vllm generator not installed');
    expect(() => new AutoGenerator({ provder: 'openai' } as never)).toThrow(/^AutoGenerator: config: .*"provder"/);
    expect(() => new AutoGenerator({ openai: 'gpt-4o' as never })).toThrow(/^AutoGenerator: option "openai": /);
    expect(() => new AutoGenerator({ openai: { timeoutMs: -1 } })).toThrow(/^OpenAIGenerator: option "timeoutMs": /);
    expect(() => new AutoGenerator({ provider: 'extractive', extractive: { maxSentences: 0 } })).toThrow(
      /^ExtractiveGenerator: option "maxSentences": /,
    );
  });
});

describe('AutoGenerator', () => {
  it('answers extractively in a pipeline when no LLM is configured', async () => {
    const { AutoGenerator, ExtractiveGenerator, runOperator } = await fresh();
    const records = [
      { query: 'What is the capital of Australia?', retrievalResults: documents },
      { query: 'Who painted the Mona Lisa?', retrievalResults: documents },
    ];
    const { output } = await runOperator('map', AutoGenerator, { records, environment: quiet, options: { parallelism: 2 } });

    const extractive = new ExtractiveGenerator();
    expect(output).toHaveLength(2);
    for (const record of output) {
      const expected = extractive.answer(record.query, documents);
      expect(record).toMatchObject({ generated: expected.text, citations: expected.citations, generator: 'extractive' });
      expect(record.timings.AutoGenerator).toBeGreaterThanOrEqual(0);
    }
  });

  it('answers through the endpoint in SAGE_LLM_BASE_URL in a pipeline', async () => {
    server = await startChatCompletionsServer((request, response) =>
      sendJson(response, 200, completion(request.body.model, `model ${request.body.model} read ${request.body.messages.length} messages`)),
    );
    process.env.SAGE_LLM_BASE_URL = server.baseURL;
    process.env.SAGE_LLM_MODEL = 'local-model';
    const { AutoGenerator, runOperator } = await fresh();
    const records = [{ query: 'q', prompt: [{ role: 'system', content: 'context' }, { role: 'user', content: 'q' }] }];
    const { output } = await runOperator('map', AutoGenerator, { records, environment: quiet });

    expect(output).toHaveLength(1);
    expect(output[0]).toMatchObject({ generated: 'model local-model read 2 messages', generator: 'openai:local-model' });
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]!.headers.authorization).toBeUndefined();
  });

  it('validates what the generator it picked reads, under its own name', async () => {
    const { AutoGenerator } = await fresh();
    const generator = new AutoGenerator();
    await expect(generator.execute({ query: 'q', prompt: [{ role: 'user', content: 'q' }] })).rejects.toThrow(
      /^AutoGenerator: record\.retrievalResults: /,
    );
  });
});
