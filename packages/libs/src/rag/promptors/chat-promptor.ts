import { MapFunction, systemClock } from '@sage/kernel';
import { z } from 'zod';
import { parseConfig } from '../config.js';
import { type ChatMessage, checkRecord, queryRecordSchema, type RetrievedDocument, retrievedRecordSchema, type Timings, withTiming } from '../contracts.js';
import { formatContext } from './format-context.js';
import { templateOption } from './prompt-template.js';
import type { WithPrompt } from './qa-promptor.js';

export const DEFAULT_CHAT_TEMPLATE = `Use the context below to answer, citing documents by their number, like [1]. If neither the context nor the conversation answers the question, say that you do not know.

Context:
{context}

Question: {query}`;

const chatPromptorConfigSchema = z.strictObject({
  /** The new user message: `{query}` (required) and `{context}` (the numbered documents). */
  template: templateOption(DEFAULT_CHAT_TEMPLATE, ['context', 'query'], ['query']),
  /** A system message put first. */
  system: z.string().min(1).optional(),
  /** How many of the latest `history` messages to keep (default 10; 0 keeps none). */
  maxHistoryMessages: z.number().int().nonnegative().default(10),
  /** Longest context in characters, cut at document boundaries (see `formatContext`). */
  maxContextChars: z.number().int().positive().optional(),
});

export type ChatPromptorConfig = z.input<typeof chatPromptorConfigSchema>;

/**
 * Builds a multi-turn prompt: the optional system message, the latest `maxHistoryMessages` messages of the
 * record's `history` (oldest first, as given), then a user message from `template` with the new `{query}` and
 * the `{context}` of the record's `retrievalResults` (numbered with their ids, as in QAPromptor). A record
 * without `history` starts a conversation.
 */
export class ChatPromptor<In extends { query: string } = { query: string }> extends MapFunction<In, WithPrompt<In>, ChatPromptorConfig> {
  private readonly options: z.output<typeof chatPromptorConfigSchema>;
  private readonly usesContext: boolean;
  private readonly recordSchema: z.ZodType<{ query: string; history?: ChatMessage[]; retrievalResults?: RetrievedDocument[] }>;

  constructor(config?: ChatPromptorConfig) {
    super(config);
    this.options = parseConfig('ChatPromptor', chatPromptorConfigSchema, config);
    this.usesContext = this.options.template.placeholders.has('context');
    this.recordSchema = this.usesContext ? retrievedRecordSchema : queryRecordSchema;
  }

  execute(record: In): WithPrompt<In> {
    const started = systemClock.now();
    const { template, system, maxHistoryMessages, maxContextChars } = this.options;
    const checked = checkRecord('ChatPromptor', this.recordSchema, record);
    const history = checked.history ?? [];
    const context = this.usesContext ? formatContext(checked.retrievalResults!, maxContextChars).text : '';
    const prompt: ChatMessage[] = system === undefined ? [] : [{ role: 'system', content: system }];
    prompt.push(...history.slice(Math.max(0, history.length - maxHistoryMessages)));
    prompt.push({ role: 'user', content: template.render({ query: checked.query, context }) });
    return withTiming({ ...(record as In & { timings?: Timings }), prompt }, 'ChatPromptor', systemClock.now() - started) as WithPrompt<In>;
  }
}
