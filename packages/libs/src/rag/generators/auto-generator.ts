import { ConfigError, type EnvVariables, getLogger, type Logger } from '@sage/common';
import { z } from 'zod';
import { parseConfig } from '../config.js';
import type { ChatMessage } from '../contracts.js';
import type { ExtractiveGeneratorConfig } from './extractive-generator.js';
import type { GenerateOptions, Generation, Generator } from './generator.js';
import { GeneratorFunction, type GeneratorInput } from './generator-function.js';
import { generatorProviders } from './generator-providers.js';
import type { OpenAIGeneratorConfig } from './openai-generator.js';

const OPERATOR = 'AutoGenerator';

export interface AutoGeneratorConfig {
  /** `auto` (default): pick from the environment; or a provider's name (`openai`, `extractive`, …) to force it. */
  provider?: string;
  /** Options of the OpenAI-compatible generator, when it is picked. */
  openai?: OpenAIGeneratorConfig;
  /** Options of the extractive answerer, when it is picked. */
  extractive?: ExtractiveGeneratorConfig;
  /** Options of other providers, by provider name: `{ 'llama.cpp': { threads: 2 } }` (see `LlamaCppGeneratorConfig`). */
  providerOptions?: Record<string, unknown>;
}

const options = z.record(z.string(), z.unknown()).optional();
const configSchema = z.strictObject({
  provider: z.string().min(1).default('auto'),
  openai: options,
  extractive: options,
  providerOptions: z.record(z.string(), z.unknown()).optional(),
});

/** Which generator was picked, and why. */
export interface GeneratorSelection {
  generator: GeneratorFunction;
  /** The provider's name. */
  provider: string;
  /** `OPENAI_API_KEY is set`, `chosen in the config`, `no LLM is configured`. */
  reason: string;
  /** Said once per process when selection fell back to the extractive answerer; undefined otherwise. */
  notice?: string;
}

/**
 * Picks the generator: the provider named in `config.provider`, else the first registered provider the
 * environment configures (`OPENAI_API_KEY` or `SAGE_LLM_BASE_URL` -> OpenAI-compatible endpoint,
 * `SAGE_LLM_MODEL_PATH` -> a local GGUF model through llama.cpp), else the extractive answerer.
 */
export function selectGenerator(config?: AutoGeneratorConfig, env: EnvVariables = process.env): GeneratorSelection {
  const checked = parseConfig(OPERATOR, configSchema, config);
  const optionsOf = (name: string): unknown =>
    name === 'openai' ? checked.openai : name === 'extractive' ? checked.extractive : checked.providerOptions?.[name];
  const providers = generatorProviders();

  if (checked.provider !== 'auto') {
    const provider = providers.find((candidate) => candidate.name === checked.provider);
    if (provider === undefined) {
      const known = ['auto', ...providers.map((candidate) => candidate.name)].join(', ');
      throw new ConfigError(`${OPERATOR}: option "provider": unknown generator "${checked.provider}" (known: ${known})`, {
        details: { owner: OPERATOR, option: 'provider' },
      });
    }
    if (provider.create === undefined) {
      throw new ConfigError(`${OPERATOR}: option "provider": ${provider.name} generator not installed`, {
        details: { owner: OPERATOR, option: 'provider' },
      });
    }
    return { generator: provider.create(optionsOf(provider.name)), provider: provider.name, reason: 'chosen in the config' };
  }

  const missing: string[] = [];
  for (const provider of providers) {
    const reason = provider.detect(env);
    if (reason === undefined) continue;
    if (provider.create !== undefined) return { generator: provider.create(optionsOf(provider.name)), provider: provider.name, reason };
    missing.push(`${provider.name} generator not installed (${reason})`);
  }
  const extractive = providers.find((provider) => provider.name === 'extractive')!;
  const reason = missing.length === 0 ? 'no LLM is configured' : `${missing.join('; ')} and no other LLM is configured`;
  return {
    generator: extractive.create!(checked.extractive),
    provider: extractive.name,
    reason,
    notice:
      `${reason}: falling back to the extractive answerer, which quotes the best-supported sentences of the ` +
      'retrieved context (set OPENAI_API_KEY, SAGE_LLM_BASE_URL for a local OpenAI-compatible server, or SAGE_LLM_MODEL_PATH ' +
      'for a local GGUF model, to answer with an LLM)',
  };
}

let fallbackNoticeGiven = false;

/** Logs the selection's fallback notice, the first time any selection in this process has one. */
function noticeOnce(selection: GeneratorSelection, logger: Logger): void {
  if (selection.notice === undefined || fallbackNoticeGiven) return;
  fallbackNoticeGiven = true;
  logger.warn({ generator: selection.generator.name, reason: selection.reason }, selection.notice);
}

/**
 * The generator the environment configures (see `selectGenerator`), for use outside a pipeline (a CLI
 * prints `stream()` or `onToken` pieces). Says once per process, on `logger` (default the root logger), when
 * it fell back to the extractive answerer.
 */
export function createGenerator(config?: AutoGeneratorConfig & { logger?: Logger }): Generator {
  const { logger, ...rest } = config ?? {};
  const selection = selectGenerator(rest);
  noticeOnce(selection, logger ?? getLogger());
  return selection.generator;
}

/**
 * A generator operator that picks its generator when the job is built (see `selectGenerator`) and behaves
 * as that one: same fields read and written, `generator` naming the one that answered. Says once per
 * process, on the operator's logger, when it fell back to the extractive answerer.
 */
export class AutoGenerator extends GeneratorFunction<AutoGeneratorConfig> {
  readonly operatorName = OPERATOR;
  readonly selection: GeneratorSelection;

  constructor(config?: AutoGeneratorConfig) {
    super(config);
    this.selection = selectGenerator(config);
  }

  get name(): string {
    return this.selection.generator.name;
  }

  get recordSchema(): z.ZodType<GeneratorInput> {
    return this.selection.generator.recordSchema;
  }

  override async open(): Promise<void> {
    noticeOnce(this.selection, this.ctx.logger);
    this.selection.generator.ctx = this.ctx;
    await this.selection.generator.open?.();
  }

  override async close(): Promise<void> {
    await this.selection.generator.close?.();
  }

  generate(messages: readonly ChatMessage[], options?: GenerateOptions): Promise<Generation> {
    return this.selection.generator.generate(messages, options);
  }
}
