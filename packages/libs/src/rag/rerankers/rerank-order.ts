import type { RetrievedDocument } from '../contracts.js';

/** The documents with their new scores, best first (ties keep their previous order), at most `topK`. */
export function rerankByScores(documents: readonly RetrievedDocument[], scores: readonly number[], topK: number | undefined): RetrievedDocument[] {
  const ranked = documents
    .map((document, index) => ({ document: { ...document, score: scores[index]! }, index }))
    .sort((a, b) => b.document.score - a.document.score || a.index - b.index)
    .map((entry) => entry.document);
  return topK === undefined ? ranked : ranked.slice(0, topK);
}
