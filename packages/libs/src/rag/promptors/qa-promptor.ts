import { MapFunction, systemClock } from '@sage/kernel';
import { z } from 'zod';
import { parseConfig } from '../config.js';
import { type ChatMessage, checkRecord, queryRecordSchema, type RetrievedDocument, retrievedRecordSchema, type Timings, withTiming } from '../contracts.js';
import { formatContext } from './format-context.js';
import { templateOption } from './prompt-template.js';

export const DEFAULT_QA_TEMPLATE = `Answer the question using only the context below. Cite the documents you use by their number, like [1]. If the context does not contain the answer, say that you do not know.

Context:
{context}

Question: {query}
Answer:`;

const qaPromptorConfigSchema = z.strictObject({
  /** The user message: `{query}` (required) and `{context}` (the numbered documents; leave it out for a closed-book baseline). */
  template: templateOption(DEFAULT_QA_TEMPLATE, ['context', 'query'], ['query']),
  /** A system message put before the user message. */
  system: z.string().min(1).optional(),
  /** Longest context in characters, cut at document boundaries (see `formatContext`). */
  maxContextChars: z.number().int().positive().optional(),
});

export type QAPromptorConfig = z.input<typeof qaPromptorConfigSchema>;

/** A record after a promptor: the input's fields plus `prompt` and its timing. */
export type WithPrompt<In> = In & { prompt: ChatMessage[]; timings: Timings };

/**
 * Builds a question-answering prompt: an optional system message, then one user message from `template`
 * with `{query}` and `{context}` filled (the Python original documented the placeholders but never filled
 * them). The context is the record's `retrievalResults`, numbered with their ids (`[1] (id: doc-7) text`)
 * so that answers can cite them; a record without `retrievalResults` is an error when the template uses
 * `{context}`.
 */
export class QAPromptor<In extends { query: string } = { query: string }> extends MapFunction<In, WithPrompt<In>, QAPromptorConfig> {
  private readonly options: z.output<typeof qaPromptorConfigSchema>;
  private readonly usesContext: boolean;
  /** What the template reads: `retrievalResults` only for `{context}`. */
  private readonly recordSchema: z.ZodType<{ query: string; retrievalResults?: RetrievedDocument[] }>;

  constructor(config?: QAPromptorConfig) {
    super(config);
    this.options = parseConfig('QAPromptor', qaPromptorConfigSchema, config);
    this.usesContext = this.options.template.placeholders.has('context');
    this.recordSchema = this.usesContext ? retrievedRecordSchema : queryRecordSchema;
  }

  execute(record: In): WithPrompt<In> {
    const started = systemClock.now();
    const { template, system, maxContextChars } = this.options;
    const checked = checkRecord('QAPromptor', this.recordSchema, record);
    const context = this.usesContext ? formatContext(checked.retrievalResults!, maxContextChars).text : '';
    const prompt: ChatMessage[] = system === undefined ? [] : [{ role: 'system', content: system }];
    prompt.push({ role: 'user', content: template.render({ query: checked.query, context }) });
    return withTiming({ ...(record as In & { timings?: Timings }), prompt }, 'QAPromptor', systemClock.now() - started) as WithPrompt<In>;
  }
}
