import type { EnvVariables } from '@sage/common';
import { ExtractiveGenerator, type ExtractiveGeneratorConfig } from './extractive-generator.js';
import type { GeneratorFunction } from './generator-function.js';
import { LlamaCppGenerator, type LlamaCppGeneratorConfig } from './llama-cpp-generator.js';
import { OpenAIGenerator, type OpenAIGeneratorConfig } from './openai-generator.js';

/**
 * A kind of generator that automatic selection can pick. Providers are tried by ascending `priority`; the
 * first whose `detect` gives a reason answers. A provider without `create` is one SAGE knows of but that is
 * not installed here: selection reports it ("<name> generator not installed") and goes on. A package
 * providing a generator registers it with `registerGeneratorProvider`, replacing any of the same name.
 */
export interface GeneratorProvider {
  /** `openai`, `llama.cpp`, `extractive`: what `AutoGeneratorConfig.provider` names. */
  readonly name: string;
  readonly priority: number;
  /** Why this provider should answer in `env` (`OPENAI_API_KEY is set`), or undefined when it should not. */
  detect(env: EnvVariables): string | undefined;
  /** Builds the generator from its options (see `AutoGeneratorConfig`). */
  create?(options: unknown): GeneratorFunction;
}

const isSet = (env: EnvVariables, name: string) => (env[name] ?? '').trim() !== '';

const BUILT_IN: GeneratorProvider[] = [
  {
    name: 'openai',
    priority: 10,
    detect: (env) =>
      isSet(env, 'OPENAI_API_KEY') ? 'OPENAI_API_KEY is set' : isSet(env, 'SAGE_LLM_BASE_URL') ? 'SAGE_LLM_BASE_URL is set' : undefined,
    create: (options) => new OpenAIGenerator(options as OpenAIGeneratorConfig | undefined),
  },
  {
    // A local GGUF model through node-llama-cpp, which is imported only when the model loads.
    name: 'llama.cpp',
    priority: 20,
    detect: (env) => (isSet(env, 'SAGE_LLM_MODEL_PATH') ? 'SAGE_LLM_MODEL_PATH is set' : undefined),
    create: (options) => new LlamaCppGenerator(options as LlamaCppGeneratorConfig | undefined),
  },
  {
    // Never detected: it is the fallback when no other provider is, or named explicitly.
    name: 'extractive',
    priority: Number.POSITIVE_INFINITY,
    detect: () => undefined,
    create: (options) => new ExtractiveGenerator(options as ExtractiveGeneratorConfig | undefined),
  },
];

const providers = new Map(BUILT_IN.map((provider) => [provider.name, provider]));

/** Adds a provider, or replaces the one of the same name. */
export function registerGeneratorProvider(provider: GeneratorProvider): void {
  providers.set(provider.name, provider);
}

/** The registered providers, in the order automatic selection tries them. */
export function generatorProviders(): GeneratorProvider[] {
  return [...providers.values()].sort((a, b) => a.priority - b.priority);
}
