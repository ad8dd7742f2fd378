import { checkRecord, type RetrievedDocument, type RetrievedRecord, retrievedRecordSchema, withTiming } from '../contracts.js';

/** The documents with their new scores, best first (ties keep their previous order), at most `topK`. */
export function rerankByScores(documents: readonly RetrievedDocument[], scores: readonly number[], topK: number | undefined): RetrievedDocument[] {
  const ranked = documents
    .map((document, index) => ({ document: { ...document, score: scores[index]! }, index }))
    .sort((a, b) => b.document.score - a.document.score || a.index - b.index)
    .map((entry) => entry.document);
  return topK === undefined ? ranked : ranked.slice(0, topK);
}

/**
 * A reranker's whole step: validates the record, asks `score` for one score per retrieved document (an empty
 * list is left alone; `undefined` keeps the retrieval order), reorders, cuts to `topK` and adds the timing.
 */
export async function rerankRecord(
  operator: string,
  input: unknown,
  topK: number | undefined,
  score: (query: string, documents: readonly RetrievedDocument[]) => Promise<readonly number[] | undefined>,
): Promise<RetrievedRecord> {
  const record = checkRecord(operator, retrievedRecordSchema, input);
  const started = performance.now();
  const documents = record.retrievalResults;
  let retrievalResults = documents;
  if (documents.length > 0) {
    const scores = await score(record.query, documents);
    if (scores !== undefined) retrievalResults = rerankByScores(documents, scores, topK);
    else if (topK !== undefined) retrievalResults = documents.slice(0, topK);
  }
  return withTiming({ ...record, retrievalResults }, operator, performance.now() - started);
}
