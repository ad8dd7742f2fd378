import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { type GeneratorFunction, HybridRetriever, type OpenAIGeneratorConfig, QAPromptor, type RetrievedRecord, selectGenerator } from '@sage/libs/rag';
import type { CliIo } from '../cli-io.js';
import { EXIT_FAILURE, EXIT_OK } from '../exit-codes.js';
import { formatError } from '../format-error.js';
import { CHAT_COLLECTION, ensureChatIndex } from './chat-index.js';
import { findDocsCorpus } from './docs-corpus.js';

export interface ChatOptions {
  /** One question: answer it and exit. Without it, questions are read line by line from stdin. */
  ask?: string;
  /** Database directory; default `<cwd>/.sage/chat`. */
  db?: string;
  embedder: string;
  rebuild?: boolean;
  /** A directory of Markdown files to answer from instead of the project's docs (hidden; for tests). */
  docs?: string;
}

export const DEFAULT_CHAT_DB = '.sage/chat';
const TOP_K = 4;

/** One question answered: retrieve, prompt, generate (printing the answer as it arrives), then the sources. */
export class DocsChat {
  private readonly retriever: HybridRetriever;
  private readonly promptor = new QAPromptor();

  constructor(
    dbPath: string,
    private readonly generator: GeneratorFunction,
    private readonly io: CliIo,
  ) {
    this.retriever = new HybridRetriever({ collection: CHAT_COLLECTION, topK: TOP_K, dbPath });
  }

  open(): Promise<void> {
    return this.retriever.open();
  }

  close(): Promise<void> {
    return this.retriever.close();
  }

  async answer(question: string): Promise<void> {
    const retrieved: RetrievedRecord = await this.retriever.execute(question);
    const { prompt } = this.promptor.execute(retrieved);
    let printed = '';
    const generation = await this.generator.generate(prompt, {
      query: question,
      context: retrieved.retrievalResults,
      onToken: (token) => {
        printed += token;
        this.io.stdout.write(token);
      },
    });
    // Generators call onToken with every piece; one that did not gets its whole answer printed here.
    if (printed === '') this.io.stdout.write(generation.text);
    if (!(printed || generation.text).endsWith('\n')) this.io.stdout.write('\n');
    const cited = new Set((generation.citations ?? []).map((citation) => citation.id));
    const sources = retrieved.retrievalResults.map((document, index) => {
      const source = typeof document.metadata.sourceId === 'string' ? document.metadata.sourceId : document.id;
      return `[${index + 1}] ${source}${cited.has(document.id) ? '*' : ''}`;
    });
    this.io.stdout.write(`sources: ${sources.length === 0 ? 'none' : sources.join(' · ')}\n`);
  }
}

/** The OpenAI-compatible generator's options from the command's environment (`io.env`, not `process.env`). */
function openaiOptions(env: CliIo['env']): OpenAIGeneratorConfig {
  const value = (name: string) => {
    const raw = env[name]?.trim();
    return raw === undefined || raw === '' ? undefined : raw;
  };
  const baseURL = value('SAGE_LLM_BASE_URL') ?? value('OPENAI_BASE_URL');
  const apiKey = value('OPENAI_API_KEY');
  const model = value('SAGE_LLM_MODEL');
  return { stream: true, ...(baseURL ? { baseURL } : {}), ...(apiKey ? { apiKey } : {}), ...(model ? { model } : {}) };
}

/**
 * `sage chat`: questions and answers over the project's docs. Builds the index on first use (and when the
 * docs changed), then answers `--ask` or each line of stdin until EOF or `exit`.
 */
export async function chat(options: ChatOptions, io: CliIo): Promise<number> {
  const corpus = findDocsCorpus({ cwd: io.cwd, ...(options.docs !== undefined ? { docs: options.docs } : {}) });
  if (corpus === undefined) {
    const where = options.docs !== undefined ? `no Markdown files in ${resolve(io.cwd, options.docs)}` : 'neither the SAGE-TS repository nor the docs shipped with @sage/cli were found';
    io.stderr.write(`sage chat: cannot find the docs to answer from: ${where}\n`);
    return EXIT_FAILURE;
  }
  const dbPath = resolve(io.cwd, options.db ?? DEFAULT_CHAT_DB);
  await ensureChatIndex({ corpus, dbPath, embedder: options.embedder, rebuild: options.rebuild === true, progress: io.stderr });

  const selection = selectGenerator({ openai: openaiOptions(io.env) }, io.env);
  if (selection.notice !== undefined) io.stderr.write(`note: ${selection.notice}\n`);
  const session = new DocsChat(dbPath, selection.generator, io);
  await session.open();
  try {
    if (options.ask !== undefined) {
      await session.answer(options.ask);
      return EXIT_OK;
    }
    return await questionLoop(session, io);
  } finally {
    await session.close();
  }
}

/** Answers each line of stdin until EOF or `exit`; a failed answer is reported and the loop goes on. */
async function questionLoop(session: DocsChat, io: CliIo): Promise<number> {
  const input = io.stdin ?? process.stdin;
  const interactive = (input as { isTTY?: boolean }).isTTY === true;
  if (interactive) io.stderr.write('Ask about SAGE-TS (exit or Ctrl-D to quit).\n> ');
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY, terminal: false });
  let code = EXIT_OK;
  try {
    for await (const line of lines) {
      const question = line.trim();
      if (question === 'exit' || question === 'quit') break;
      if (question !== '') {
        try {
          await session.answer(question);
        } catch (error) {
          io.stderr.write(formatError(error));
          code = EXIT_FAILURE;
        }
      }
      if (interactive) io.stderr.write('> ');
    }
  } finally {
    lines.close();
  }
  return code;
}
