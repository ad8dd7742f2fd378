/**
 * The record contracts of the RAG library. Records are plain objects that grow as they pass operators:
 *
 *   { query }                                   a question (FileSource lines are mapped to this by the retriever)
 *   + retrievalResults: RetrievedDocument[]     retrievers (best first); rerankers reorder them
 *   + prompt: ChatMessage[]                     promptors
 *   + generated, usage?, citations?             generators
 *   + scores                                    evaluators (reading `references` / `relevantIds`)
 *   + timings                                   every operator adds `{ [operatorName]: milliseconds }`
 *
 * Each operator validates what it reads with these zod schemas and fails with a ValidationError naming the
 * operator and the field (`checkRecord`). Fields an operator does not know pass through untouched.
 */
import { ValidationError } from '@sage/common';
import { z } from 'zod';

export const retrievedDocumentSchema = z.object({
  id: z.string(),
  text: z.string(),
  score: z.number(),
  metadata: z.record(z.string(), z.unknown()).default({}),
});
export type RetrievedDocument = z.infer<typeof retrievedDocumentSchema>;

export const chatMessageSchema = z.object({
  role: z.enum(['system', 'user', 'assistant']),
  content: z.string(),
});
export type ChatMessage = z.infer<typeof chatMessageSchema>;

export const usageSchema = z.object({
  promptTokens: z.number().int().nonnegative(),
  completionTokens: z.number().int().nonnegative(),
});
export type Usage = z.infer<typeof usageSchema>;

export const citationSchema = z.object({ id: z.string(), text: z.string().optional() });
export type Citation = z.infer<typeof citationSchema>;

/** Milliseconds per operator, keyed by operator name (e.g. `DenseRetriever`). */
export const timingsSchema = z.record(z.string(), z.number());
export type Timings = z.infer<typeof timingsSchema>;

export const queryRecordSchema = z.looseObject({
  query: z.string(),
  /** Conversation so far (ChatPromptor). */
  history: z.array(chatMessageSchema).optional(),
  /** Expected answers (evaluators). */
  references: z.array(z.string()).optional(),
  /** Ids of the relevant documents (retrieval evaluators). */
  relevantIds: z.array(z.string()).optional(),
  timings: timingsSchema.optional(),
});
export type QueryRecord = z.infer<typeof queryRecordSchema>;

export const retrievedRecordSchema = queryRecordSchema.extend({ retrievalResults: z.array(retrievedDocumentSchema) });
export type RetrievedRecord = z.infer<typeof retrievedRecordSchema>;

export const promptedRecordSchema = queryRecordSchema.extend({
  retrievalResults: z.array(retrievedDocumentSchema).optional(),
  prompt: z.array(chatMessageSchema).min(1),
});
export type PromptedRecord = z.infer<typeof promptedRecordSchema>;

export const generatedRecordSchema = promptedRecordSchema.extend({
  generated: z.string(),
  usage: usageSchema.optional(),
  citations: z.array(citationSchema).optional(),
  /** Which generator answered (`openai:gpt-4o-mini`, `extractive`, …). */
  generator: z.string().optional(),
});
export type GeneratedRecord = z.infer<typeof generatedRecordSchema>;

/** A document to index: what DirectorySource / JSONLBatch emit and chunkers split. */
export const documentSchema = z.object({
  id: z.string(),
  text: z.string(),
  metadata: z.record(z.string(), z.unknown()).default({}),
});
export type Document = z.infer<typeof documentSchema>;

/**
 * Validates `record` against `schema` for `operator`; the error names the operator and the path of the first
 * problem (`DenseRetriever: record.query: expected string, received number`).
 */
export function checkRecord<S extends z.ZodType>(operator: string, schema: S, record: unknown): z.infer<S> {
  const result = schema.safeParse(record);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const path = ['record', ...issue.path.map(String)].join('.');
  throw new ValidationError(`${operator}: ${path}: ${issue.message}`, { details: { operator, path } });
}

/** Adds `ms` under `operator` to the record's timings (a new object: records may be shared downstream). */
export function withTiming<T extends { timings?: Timings }>(record: T, operator: string, ms: number): T {
  return { ...record, timings: { ...record.timings, [operator]: ms } };
}
