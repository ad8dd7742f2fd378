import { ValidationError } from '@sage/common';
import { MapFunction } from '@sage/kernel';
import { z } from 'zod';
import { parseConfig } from '../config.js';
import type { ChatMessage, RetrievedDocument, RetrievedRecord } from '../contracts.js';
import { type AutoGeneratorConfig, selectGenerator } from '../generators/auto-generator.js';
import { ExtractiveGenerator } from '../generators/extractive-generator.js';
import type { Generator } from '../generators/generator.js';
import type { GeneratorFunction } from '../generators/generator-function.js';
import { rerankRecord } from './rerank-order.js';
import { parseRelevanceScores } from './relevance-scores.js';

const OPERATOR = 'LLMReranker';

export interface LLMRerankerConfig {
  /**
   * The judge: a `Generator` (e.g. `createGenerator()`, an `OpenAIGenerator`), or the config of the generator
   * to pick from the environment (as `AutoGenerator`; its OpenAI temperature defaults to 0). Default: picked
   * from the environment. The extractive answerer is refused: it cannot judge relevance.
   */
  generator?: Generator | AutoGeneratorConfig;
  /** Keep the best `topK` documents; default all. */
  topK?: number;
  /** Characters of each document shown to the judge; default 1500. */
  maxChars?: number;
}

const isGenerator = (value: unknown): value is Generator =>
  typeof value === 'object' && value !== null && typeof (value as Generator).generate === 'function';

const schema = z.strictObject({
  generator: z
    .union([z.custom<Generator>(isGenerator, { message: 'expected a Generator' }), z.record(z.string(), z.unknown())])
    .optional(),
  topK: z.number().int().min(1).optional(),
  maxChars: z.number().int().min(50).default(1500),
});

export const LLM_RERANK_SYSTEM_PROMPT = [
  'You are a strict relevance judge for a search engine.',
  'Rate how relevant each numbered document is to the question, as an integer from 0 to 10:',
  '0 = unrelated, 5 = on the topic but does not answer it, 10 = answers the question directly and fully.',
  'Judge relevance only, never style. Do not answer the question.',
  'Reply with exactly one line per document, in order, formatted as "<document number>: <score>", and nothing else.',
].join('\n');

/** The messages asking the judge to rate `documents` for `query`. */
export function llmRerankPrompt(query: string, documents: readonly RetrievedDocument[], maxChars = 1500): ChatMessage[] {
  const listed = documents.map((document, index) => {
    const text = document.text.replace(/\s+/g, ' ').trim();
    return `[${index + 1}] ${text.length > maxChars ? `${text.slice(0, maxChars).trimEnd()}…` : text}`;
  });
  const example = documents.map((_, index) => `${index + 1}: <score>`).join('\n');
  return [
    { role: 'system', content: LLM_RERANK_SYSTEM_PROMPT },
    { role: 'user', content: `Question: ${query}\n\nDocuments:\n${listed.join('\n\n')}\n\nScores (${documents.length} ${documents.length === 1 ? 'line' : 'lines'}):\n${example}` },
  ];
}

/**
 * Reorders `retrievalResults` by an LLM's judgement: one request per record lists the documents and asks for
 * a 0-10 relevance score each (`llmRerankPrompt`); `score` becomes that rating, best first (ties keep the
 * retrieval order), keeping `topK`. A reply that cannot be read as one score per document (see
 * `parseRelevanceScores`) keeps the retrieval order and scores, with a warning on the operator's logger.
 * Async: give the operator a `concurrency` option to keep several requests in flight.
 */
export class LLMReranker extends MapFunction<unknown, RetrievedRecord, LLMRerankerConfig> {
  readonly generator: Generator;
  private readonly settings: z.infer<typeof schema>;
  /** The generator this operator picked itself, so opens and closes. */
  private readonly owned: GeneratorFunction | undefined;

  constructor(config?: LLMRerankerConfig) {
    super(config);
    this.settings = parseConfig(OPERATOR, schema, config);
    const given = this.settings.generator;
    if (isGenerator(given)) {
      if (given instanceof ExtractiveGenerator || given.name === 'extractive') throw cannotJudge('it was given as the generator');
      this.generator = given;
    } else {
      const chosen = (given ?? {}) as AutoGeneratorConfig;
      const selection = selectGenerator({ ...chosen, openai: { temperature: 0, ...chosen.openai } });
      if (selection.provider === 'extractive') throw cannotJudge(selection.reason);
      this.generator = this.owned = selection.generator;
    }
  }

  override async open(): Promise<void> {
    if (this.owned === undefined) return;
    this.owned.ctx = this.ctx;
    await this.owned.open?.();
  }

  override async close(): Promise<void> {
    await this.owned?.close?.();
  }

  execute(input: unknown): Promise<RetrievedRecord> {
    return rerankRecord(OPERATOR, input, this.settings.topK, async (query, documents) => {
      const prompt = llmRerankPrompt(query, documents, this.settings.maxChars);
      const generation = await this.generator.generate(prompt, { query, context: documents });
      const scores = parseRelevanceScores(generation.text, documents.length);
      if (scores === undefined) {
        this.ctx?.logger.warn(
          { operator: OPERATOR, generator: this.generator.name, reply: generation.text.slice(0, 200) },
          `${OPERATOR}: could not read ${documents.length} relevance scores from the reply; keeping the retrieval order`,
        );
      }
      return scores;
    });
  }

}

function cannotJudge(why: string): ValidationError {
  return new ValidationError(
    `${OPERATOR}: option "generator": the extractive answerer cannot judge relevance (${why}); pass an LLM generator, or configure one with OPENAI_API_KEY or SAGE_LLM_BASE_URL`,
    { details: { owner: OPERATOR, option: 'generator' } },
  );
}
