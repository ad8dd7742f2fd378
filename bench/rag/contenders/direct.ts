/**
 * The same question steps as plain function calls, no framework: embed the question, search the SageDB
 * collection SAGE built, fill the prompt, answer extractively, one question after another. The floor that
 * SAGE's and LangChain's per-question cost is compared with besides the raw embedder.
 */
import type { Collection } from '@sage/middleware';
import { type Embedder, ExtractiveGenerator, formatContext, type RetrievedDocument } from '@sage/libs/rag';
import { type Answered, type Question, TEMPLATE, TOP_K } from '../workload.js';

export async function directQuestions(questions: readonly Question[], collection: Collection, embedder: Embedder): Promise<Answered[]> {
  const generator = new ExtractiveGenerator();
  const answers: Answered[] = [];
  for (const question of questions) {
    const [vector] = await embedder.embed([question.query]);
    const hits = await collection.search(vector!, { k: TOP_K });
    const documents: RetrievedDocument[] = hits.map((hit) => ({ id: hit.id, text: hit.text ?? '', score: hit.score, metadata: { ...hit.metadata } }));
    const prompt = TEMPLATE.replace('{context}', () => formatContext(documents).text).replace('{query}', () => question.query);
    if (!prompt.endsWith('Answer:')) throw new Error(`direct calls: malformed prompt for question ${question.index}`);
    const answer = generator.answer(question.query, documents).text;
    answers.push({ index: question.index, sourceIds: documents.map((doc) => String(doc.metadata.sourceId)), answer });
  }
  return answers;
}
