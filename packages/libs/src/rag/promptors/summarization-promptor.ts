import { ValidationError } from '@sage/common';
import { MapFunction, systemClock } from '@sage/kernel';
import { z } from 'zod';
import { parseConfig } from '../config.js';
import { type ChatMessage, checkRecord, type RetrievedDocument, retrievedDocumentSchema, timingsSchema, type Timings, withTiming } from '../contracts.js';
import { formatContext } from './format-context.js';
import { templateOption } from './prompt-template.js';
import type { WithPrompt } from './qa-promptor.js';

export const DEFAULT_SUMMARIZATION_TEMPLATE = `Summarise the following in a few sentences, keeping the key facts and leaving out anything not in the text.

{text}`;

const summarizationPromptorConfigSchema = z.strictObject({
  /** The user message: `{text}` (required: what to summarise) and `{query}` (optional: what to focus on). */
  template: templateOption(DEFAULT_SUMMARIZATION_TEMPLATE, ['text', 'query'], ['text']),
  /** A system message put before the user message. */
  system: z.string().min(1).optional(),
  /**
   * What to summarise: the record's `text` field, its `retrievalResults`, or (`auto`, the default) `text`
   * when the record has one and `retrievalResults` otherwise.
   */
  source: z.enum(['auto', 'text', 'retrievalResults']).default('auto'),
  /** Longest input in characters: documents are cut at document boundaries, a `text` field at this length. */
  maxTextChars: z.number().int().positive().optional(),
});

export type SummarizationPromptorConfig = z.input<typeof summarizationPromptorConfigSchema>;

interface SummarizationRecord {
  text?: string | undefined;
  retrievalResults?: RetrievedDocument[] | undefined;
  query?: string | undefined;
}

/**
 * Builds a prompt asking to summarise either a `text` field of the record or its retrieved documents
 * (numbered with their ids, as in QAPromptor). `{query}` in the template makes `query` a required field.
 */
export class SummarizationPromptor<In extends object = Record<string, unknown>> extends MapFunction<
  In,
  WithPrompt<In>,
  SummarizationPromptorConfig
> {
  private readonly options: z.output<typeof summarizationPromptorConfigSchema>;
  /** What the record must hold, from `source` and the template's placeholders. */
  private readonly recordSchema: z.ZodType<SummarizationRecord>;

  constructor(config?: SummarizationPromptorConfig) {
    super(config);
    this.options = parseConfig('SummarizationPromptor', summarizationPromptorConfigSchema, config);
    const { source, template } = this.options;
    const documents = z.array(retrievedDocumentSchema);
    this.recordSchema = z.looseObject({
      text: source === 'text' ? z.string() : z.string().optional(),
      retrievalResults: source === 'retrievalResults' ? documents : documents.optional(),
      query: template.placeholders.has('query') ? z.string() : z.string().optional(),
      timings: timingsSchema.optional(),
    });
  }

  execute(record: In): WithPrompt<In> {
    const started = systemClock.now();
    const { template, system, source, maxTextChars } = this.options;
    const checked = checkRecord('SummarizationPromptor', this.recordSchema, record);
    let text: string;
    if (checked.text !== undefined && source !== 'retrievalResults') {
      text = maxTextChars === undefined ? checked.text : checked.text.slice(0, maxTextChars);
    } else if (checked.retrievalResults !== undefined) {
      text = formatContext(checked.retrievalResults, maxTextChars).text;
    } else {
      throw new ValidationError('SummarizationPromptor: record.text: expected a string, or retrievalResults to summarise', {
        details: { operator: 'SummarizationPromptor', path: 'record.text' },
      });
    }
    const prompt: ChatMessage[] = system === undefined ? [] : [{ role: 'system', content: system }];
    prompt.push({ role: 'user', content: template.render({ text, query: checked.query ?? '' }) });
    return withTiming({ ...(record as In & { timings?: Timings }), prompt }, 'SummarizationPromptor', systemClock.now() - started) as WithPrompt<In>;
  }
}
