/**
 * What both contenders share: the corpus, the questions, the prompt template, the chunking settings and the
 * scoring of their answers (with the evaluator functions of `@sage/libs/rag`).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { recallAtK, tokenF1 } from '@sage/libs/rag';

const examples = fileURLToPath(new URL('../../examples/rag/', import.meta.url));
export const CORPUS_DIR = join(examples, 'corpus');
const EVAL_FILE = join(examples, 'eval.jsonl');

/** The chunking of both sides: recursive splitter, 800 characters, 100 overlap (`buildIndex`'s default). */
export const CHUNK_SIZE = 800;
export const CHUNK_OVERLAP = 100;
/** Documents embedded per model call while indexing (IndexWriter's default batch; the raw rows use it too). */
export const EMBED_BATCH = 64;
export const TOP_K = 4;
/** recall@5 over the top 4 retrieved: the same number as recall@4, named as in docs/rag.md. */
export const RECALL_K = 5;
export const TEMPLATE = 'Answer from the context: {context}\nQuestion: {query}\nAnswer:';

/** A type rather than an interface: the RAG records are index-signature objects, which an interface does not satisfy. */
export type Question = {
  /** Position in the run's question list, carried through both pipelines. */
  index: number;
  query: string;
  references: string[];
  relevantIds: string[];
};

/** One answered question, whatever the framework: the source documents retrieved (rank order) and the answer. */
export interface Answered {
  index: number;
  sourceIds: string[];
  answer: string;
}

export function loadQuestions(count: number): Question[] {
  const lines = readFileSync(EVAL_FILE, 'utf8').trim().split('\n');
  if (count > lines.length) throw new Error(`--questions ${count}: eval.jsonl has ${lines.length}`);
  return lines.slice(0, count).map((line, index) => {
    const { query, references, relevantIds } = JSON.parse(line) as Omit<Question, 'index'>;
    return { index, query, references, relevantIds };
  });
}

/** The corpus files as DirectorySource reads them: relative path as id, sorted by code unit, UTF-8 text. */
export function readCorpus(directory = CORPUS_DIR): Array<{ id: string; text: string }> {
  return readdirSync(directory)
    .filter((name) => name.endsWith('.md'))
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((id) => ({ id, text: readFileSync(join(directory, id), 'utf8') }));
}

export interface Scores {
  answered: number;
  recall: number;
  f1: number;
}

/** Throws unless every question got exactly one answer with its top-k documents. */
export function verifyAnswers(name: string, answers: readonly Answered[], questions: readonly Question[]): void {
  const seen = new Set<number>();
  for (const a of answers) {
    if (a.index < 0 || a.index >= questions.length || seen.has(a.index)) throw new Error(`${name}: unexpected or repeated answer to question ${a.index}`);
    if (a.sourceIds.length !== TOP_K) throw new Error(`${name}: question ${a.index} retrieved ${a.sourceIds.length} chunks, expected ${TOP_K}`);
    if (typeof a.answer !== 'string' || a.answer.length === 0) throw new Error(`${name}: question ${a.index} has no answer`);
    seen.add(a.index);
  }
  if (seen.size !== questions.length) throw new Error(`${name}: answered ${seen.size} of ${questions.length} questions`);
}

/** Mean recall@5 by document and mean token F1 of the answers against the references. */
export function score(answers: readonly Answered[], questions: readonly Question[]): Scores {
  let recall = 0;
  let f1 = 0;
  for (const a of answers) {
    const question = questions[a.index]!;
    recall += recallAtK(a.sourceIds, question.relevantIds, RECALL_K);
    f1 += tokenF1(a.answer, question.references);
  }
  const n = Math.max(answers.length, 1);
  return { answered: answers.length, recall: recall / n, f1: f1 / n };
}
