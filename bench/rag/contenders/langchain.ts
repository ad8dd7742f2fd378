/**
 * LangChain.js: the same steps written with LangChain. Ingest: read the files, RecursiveCharacterTextSplitter
 * 800/100, MemoryVectorStore.addDocuments. Questions: a RunnableSequence (the store's retriever, the prompt
 * and the extractive answer as RunnableLambdas), with `invoke` per question or `batch`.
 */
import { MemoryVectorStore } from '@langchain/classic/vectorstores/memory';
import type { DocumentInterface } from '@langchain/core/documents';
import { Embeddings } from '@langchain/core/embeddings';
import { RunnableLambda, RunnablePassthrough, RunnableSequence } from '@langchain/core/runnables';
import { RecursiveCharacterTextSplitter } from '@langchain/textsplitters';
import { type Embedder, ExtractiveGenerator, formatContext, type RetrievedDocument } from '@sage/libs/rag';
import { type Answered, CHUNK_OVERLAP, CHUNK_SIZE, CORPUS_DIR, type Question, readCorpus, TEMPLATE, TOP_K } from '../workload.js';

/** A LangChain `Embeddings` over a SAGE embedder (USE-lite): vectors as number[], as LangChain wants them. */
export class SageEmbeddings extends Embeddings {
  constructor(private readonly embedder: Embedder) {
    super({});
  }

  async embedDocuments(texts: string[]): Promise<number[][]> {
    return (await this.embedder.embed(texts)).map((vector) => Array.from(vector));
  }

  async embedQuery(text: string): Promise<number[]> {
    const [vector] = await this.embedder.embed([text]);
    return Array.from(vector!);
  }
}

/** The chunk texts LangChain makes of the corpus (outside any clock: the raw-embedder rows embed these). */
export async function langchainChunks(directory = CORPUS_DIR): Promise<DocumentInterface[]> {
  const splitter = new RecursiveCharacterTextSplitter({ chunkSize: CHUNK_SIZE, chunkOverlap: CHUNK_OVERLAP });
  const files = readCorpus(directory);
  return splitter.createDocuments(
    files.map((file) => file.text),
    files.map((file) => ({ sourceId: file.id })),
  );
}

/** Read, split, embed and store. */
export async function langchainIngest(embeddings: Embeddings, directory = CORPUS_DIR): Promise<MemoryVectorStore> {
  const documents = await langchainChunks(directory);
  const store = new MemoryVectorStore(embeddings);
  await store.addDocuments(documents);
  return store;
}

type WithDocs = Question & { docs: DocumentInterface[] };

/** retriever -> prompt -> extractive answer, the answer from the same ExtractiveGenerator.answer as SAGE's. */
export function langchainChain(store: MemoryVectorStore) {
  const retriever = store.asRetriever({ k: TOP_K });
  const generator = new ExtractiveGenerator();
  const asRetrieved = (docs: DocumentInterface[]): RetrievedDocument[] =>
    docs.map((doc, rank) => ({ id: `${String(doc.metadata.sourceId)}#${rank}`, text: doc.pageContent, score: 0, metadata: { ...doc.metadata } }));
  return RunnableSequence.from([
    RunnablePassthrough.assign({ docs: RunnableLambda.from((q: Question) => q.query).pipe(retriever) }),
    RunnableLambda.from((record: WithDocs) => ({
      ...record,
      prompt: TEMPLATE.replace('{context}', () => formatContext(asRetrieved(record.docs)).text).replace('{query}', () => record.query),
    })),
    RunnableLambda.from(
      (record: WithDocs & { prompt: string }): Answered => ({
        index: record.index,
        sourceIds: record.docs.map((doc) => String(doc.metadata.sourceId)),
        answer: generator.answer(record.query, asRetrieved(record.docs)).text,
      }),
    ),
  ]);
}

export type LangChainRag = ReturnType<typeof langchainChain>;

export async function langchainInvoke(chain: LangChainRag, questions: readonly Question[]): Promise<Answered[]> {
  const answers: Answered[] = [];
  for (const question of questions) answers.push(await chain.invoke(question));
  return answers;
}

export function langchainBatch(chain: LangChainRag, questions: readonly Question[], maxConcurrency: number): Promise<Answered[]> {
  return chain.batch(questions as Question[], { maxConcurrency });
}
