/** The fields of a RAG answer record (`@sage/libs/rag` contracts) this rendering reads. */
export interface AnswerLike {
  query?: unknown;
  generated?: unknown;
  retrievalResults?: Array<{ id: string; score: number; text?: string; metadata?: Record<string, unknown> }>;
  citations?: Array<{ id: string }>;
  timings?: Record<string, number>;
}

/** A record a generator answered: a string `query` and a string `generated`. */
export function isAnswerRecord(record: unknown): record is AnswerLike {
  if (record === null || typeof record !== 'object') return false;
  const candidate = record as AnswerLike;
  return typeof candidate.query === 'string' && typeof candidate.generated === 'string';
}

/**
 * An answer record as a few lines for a terminal: the question, the answer, the sources it was given
 * (cited ones marked), and the time each stage took.
 *
 *   Q: What is the capital of Belgium?
 *   A: The capital of Belgium is Brussels. [1]
 *      sources: [1] be.md* 0.82 · [2] nl.md 0.61
 *      timings: DenseRetriever 3.1 ms · QAPromptor 0.1 ms · ExtractiveGenerator 0.4 ms
 */
export function formatAnswer(record: AnswerLike): string {
  const lines = [`Q: ${String(record.query ?? '')}`, `A: ${String(record.generated ?? '').trim()}`];
  const cited = new Set((record.citations ?? []).map((citation) => citation.id));
  const sources = (record.retrievalResults ?? []).map((document, index) => {
    const source = typeof document.metadata?.sourceId === 'string' ? document.metadata.sourceId : document.id;
    return `[${index + 1}] ${source}${cited.has(document.id) ? '*' : ''} ${document.score.toFixed(2)}`;
  });
  if (sources.length > 0) lines.push(`   sources: ${sources.join(' · ')}`);
  const timings = Object.entries(record.timings ?? {}).map(([stage, ms]) => `${stage} ${ms.toFixed(1)} ms`);
  if (timings.length > 0) lines.push(`   timings: ${timings.join(' · ')}`);
  return lines.join('\n');
}
