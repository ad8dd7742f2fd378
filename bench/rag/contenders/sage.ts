/** SAGE: `buildIndex` for ingest, a LocalEnvironment pipeline for the questions. */
import { LocalEnvironment } from '@sage/kernel';
import { buildIndex, DenseRetriever, type Embedder, ExtractiveGenerator, type GeneratorOutput, QAPromptor } from '@sage/libs/rag';
import { type Answered, CHUNK_OVERLAP, CHUNK_SIZE, CORPUS_DIR, EMBED_BATCH, type Question, TEMPLATE, TOP_K } from '../workload.js';

export const COLLECTION = 'factbook';

/** DirectorySource -> Chunker (recursive 800/100) -> IndexWriter into a fresh SageDB directory. Returns the chunks stored. */
export async function sageIngest(dbPath: string, embedder: Embedder, directory = CORPUS_DIR): Promise<number> {
  const result = await buildIndex({
    directory,
    collection: COLLECTION,
    dbPath,
    embedder,
    chunking: { splitter: 'recursive', chunkSize: CHUNK_SIZE, chunkOverlap: CHUNK_OVERLAP },
    batchSize: EMBED_BATCH,
  });
  return result.chunks;
}

/** fromBatch(questions) -> DenseRetriever -> QAPromptor -> ExtractiveGenerator -> sink, `concurrency` on the async maps. */
export async function sageQuestions(questions: readonly Question[], dbPath: string, embedder: Embedder, concurrency: number): Promise<Answered[]> {
  const answers: Answered[] = [];
  const env = new LocalEnvironment('rag_bench', { logLevel: 'warn', handleSignals: false });
  env
    .fromBatch(questions)
    .map(DenseRetriever, { collection: COLLECTION, dbPath, topK: TOP_K, embedder }, { concurrency })
    .map(QAPromptor, { template: TEMPLATE })
    .map(ExtractiveGenerator, {}, { concurrency })
    .sink((record: GeneratorOutput) => {
      answers.push({
        index: record.index as number,
        sourceIds: (record.retrievalResults ?? []).map((doc) => String(doc.metadata.sourceId)),
        answer: record.generated,
      });
    });
  await env.submit({ autostop: true });
  return answers;
}
