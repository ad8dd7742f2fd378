import { z } from 'zod';
import { parseConfig } from '../config.js';
import { type ChatMessage, type Citation, queryRecordSchema, type RetrievedDocument, retrievedDocumentSchema } from '../contracts.js';
import type { GenerateOptions, Generation } from './generator.js';
import { GeneratorFunction, type GeneratorInput } from './generator-function.js';
import { splitSentences, terms } from './text-terms.js';

const OPERATOR = 'ExtractiveGenerator';

/** The whole answer when no retrieved sentence shares a term with the question. */
export const NO_ANSWER = 'I could not find an answer in the retrieved context.';

export interface ExtractiveGeneratorConfig {
  /** Most sentences in an answer; default 2. */
  maxSentences?: number;
  /** Sentences scoring below this fraction of the best one are left out; default 0.5. */
  minRelativeScore?: number;
}

const configSchema = z.strictObject({
  maxSentences: z.number().int().positive().default(2),
  minRelativeScore: z.number().min(0).max(1).default(0.5),
});
type Options = z.infer<typeof configSchema>;

const recordSchema = queryRecordSchema.extend({ retrievalResults: z.array(retrievedDocumentSchema) });

// BM25 constants, the usual ones: term frequency saturates with K1, long sentences are discounted by B.
const K1 = 1.2;
const B = 0.75;
/** A sentence of the document ranked r (from 0) has its score divided by 1 + RANK_DECAY * r. */
const RANK_DECAY = 0.1;

interface ScoredSentence {
  text: string;
  documentId: string;
  rank: number;
  position: number;
  score: number;
}

/**
 * The offline answerer: no model, no network. It answers with the sentences of the retrieved documents that
 * best support the question (reads `query` and `retrievalResults`; `prompt` is not needed), each followed by
 * an `[n]` marker (n: the document's rank among the retrieved ones, as in QAPromptor's numbered context),
 * and adds `citations: [{ id }]` of the documents quoted, in the order first quoted, and
 * `generator: 'extractive'`. When no sentence shares a term with the question it says so (`NO_ANSWER`)
 * instead of guessing. Deterministic: the same record always gets the same answer.
 *
 * Sentences are scored with BM25 against the question's terms (stopwords removed, plurals folded), the
 * sentences of all retrieved documents being the collection, so that rare question words count most. The
 * score is scaled by the share of the question's term weight the sentence covers (a sentence matching one
 * word of three is weak support however often it repeats it), and a sentence from a lower-ranked document is
 * discounted a little. Ties go to the higher-ranked document, then
 * to the earlier sentence.
 */
export class ExtractiveGenerator extends GeneratorFunction<ExtractiveGeneratorConfig> {
  readonly name: string = 'extractive';
  readonly operatorName = OPERATOR;
  readonly recordSchema: z.ZodType<GeneratorInput> = recordSchema;
  readonly #options: Options;

  constructor(config?: ExtractiveGeneratorConfig) {
    super(config);
    this.#options = parseConfig(OPERATOR, configSchema, config);
  }

  /** Needs `options.context`; the question is `options.query`, else the last user message. */
  async generate(messages: readonly ChatMessage[], options: GenerateOptions = {}): Promise<Generation> {
    const query = options.query ?? messages.findLast((message) => message.role === 'user')?.content ?? '';
    const generation = this.answer(query, options.context ?? []);
    options.onToken?.(generation.text);
    return generation;
  }

  /** The answer to `query` from `documents` (best first). */
  answer(query: string, documents: readonly RetrievedDocument[]): Generation & { citations: Citation[] } {
    const chosen = this.#choose(query, documents);
    if (chosen.length === 0) return { text: NO_ANSWER, citations: [] };
    const citations: Citation[] = [];
    const parts = chosen.map((sentence) => {
      if (!citations.some((citation) => citation.id === sentence.documentId)) citations.push({ id: sentence.documentId });
      // [n] is the document's rank in the retrieved list, as in the context QAPromptor numbers for a model.
      return `${sentence.text} [${sentence.rank + 1}]`;
    });
    return { text: parts.join(' '), citations };
  }

  #choose(query: string, documents: readonly RetrievedDocument[]): ScoredSentence[] {
    const queryTerms = [...new Set(terms(query))];
    if (queryTerms.length === 0) return [];
    const sentences = documents.flatMap((document, rank) =>
      splitSentences(document.text).map((text, position) => ({ text, documentId: document.id, rank, position, terms: terms(text) })),
    );
    const withTerms = sentences.filter((sentence) => sentence.terms.length > 0);
    if (withTerms.length === 0) return [];

    const averageLength = withTerms.reduce((sum, sentence) => sum + sentence.terms.length, 0) / withTerms.length;
    const idf = new Map(
      queryTerms.map((term) => {
        const frequency = withTerms.filter((sentence) => sentence.terms.includes(term)).length;
        return [term, Math.log(1 + (withTerms.length - frequency + 0.5) / (frequency + 0.5))];
      }),
    );
    const questionWeight = queryTerms.reduce((sum, term) => sum + idf.get(term)!, 0);
    const scored: ScoredSentence[] = withTerms.map(({ terms: sentenceTerms, ...sentence }) => {
      let score = 0;
      let matchedWeight = 0;
      for (const term of queryTerms) {
        const count = sentenceTerms.filter((candidate) => candidate === term).length;
        if (count === 0) continue;
        const saturation = (count * (K1 + 1)) / (count + K1 * (1 - B + (B * sentenceTerms.length) / averageLength));
        score += idf.get(term)! * saturation;
        matchedWeight += idf.get(term)!;
      }
      const coverage = matchedWeight / questionWeight;
      return { ...sentence, score: (score * coverage) / (1 + RANK_DECAY * sentence.rank) };
    });

    const ranked = scored
      .filter((sentence) => sentence.score > 0)
      .sort((a, b) => b.score - a.score || a.rank - b.rank || a.position - b.position);
    const best = ranked[0]?.score ?? 0;
    const chosen: ScoredSentence[] = [];
    const seen = new Set<string>();
    for (const sentence of ranked) {
      if (chosen.length === this.#options.maxSentences || sentence.score < best * this.#options.minRelativeScore) break;
      const key = terms(sentence.text).join(' ');
      if (seen.has(key)) continue;
      seen.add(key);
      chosen.push(sentence);
    }
    return chosen;
  }
}
