/**
 * The main job: questions from a file, answered from the bundled World Factbook corpus, offline.
 *
 *   pnpm exec sage run examples/rag/rag.ts
 *
 * The first run indexes `corpus/` into the collection `factbook` (a progress bar on stderr). The generator
 * slot picks an LLM when one is configured (OPENAI_API_KEY, or SAGE_LLM_BASE_URL for any OpenAI-compatible
 * server) and otherwise answers extractively from the retrieved text, and says so once.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LocalEnvironment } from '@sage/kernel';
import { FileSource, TerminalSink } from '@sage/libs/io';
import { AutoGenerator, DenseRetriever, ensureIndex, QAPromptor } from '@sage/libs/rag';

const here = dirname(fileURLToPath(import.meta.url));
await ensureIndex({ directory: join(here, 'corpus'), collection: 'factbook' });

const env = new LocalEnvironment('rag_pipeline');
env
  .fromSource(FileSource, { filePath: join(here, 'questions.txt') })
  .map(DenseRetriever, { collection: 'factbook', topK: 4 })
  .map(QAPromptor, { template: 'Answer from the context: {context}\nQuestion: {query}\nAnswer:' })
  .map(AutoGenerator, { openai: { model: 'gpt-4o-mini' } })
  .sink(TerminalSink); // prints each answer with its sources and the time of each stage
await env.submit({ autostop: true });
