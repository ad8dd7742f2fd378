/**
 * The index `sage chat` searches: one SageDB collection of the corpus' chunks, labelled with the corpus
 * fingerprint, the embedder and the chunk count, so a later run can tell whether it is still current.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { acquireDatabase, type BuildIndexOptions, buildIndexWithProgress, countChunks, sharedEmbedder, type TextSink } from '@sage/libs/rag';
import { corpusFingerprint, type DocsCorpus } from './docs-corpus.js';

export const CHAT_COLLECTION = 'sage-docs';

export interface ChatIndexOptions {
  corpus: DocsCorpus;
  dbPath: string;
  /** Embedder name: `use-lite`, `hashing-256`, … */
  embedder: string;
  /** Build even when the index is current. */
  rebuild?: boolean;
  /** The notice and progress bar go here. */
  progress: TextSink;
}

export interface ChatIndexResult {
  /** Why it was built (`first use`, `the docs changed`, …); undefined when the existing index was used. */
  built?: string;
  chunks: number;
}

/** Why the collection must be (re)built, or undefined when it is current. */
async function staleness(options: ChatIndexOptions, embedderName: string, fingerprint: string): Promise<string | undefined> {
  const lease = await acquireDatabase(options.dbPath);
  try {
    if (!(await lease.db.listCollections()).includes(CHAT_COLLECTION)) return 'first use';
    if (options.rebuild) return '--rebuild';
    const info = await lease.db.describeCollection(CHAT_COLLECTION);
    if (info.metadata.embedder !== embedderName) return `embedder ${embedderName} instead of ${String(info.metadata.embedder)}`;
    if (info.metadata.fingerprint !== fingerprint) return 'the docs changed';
    // A build cut short leaves fewer chunks than it announced.
    if (info.count === 0 || info.metadata.chunks !== info.count) return 'the last build did not finish';
    return undefined;
  } finally {
    await lease.release();
  }
}

/**
 * Makes sure the collection holds the current corpus: builds it on first use, and again (from scratch)
 * when the docs, the embedder or the chunking changed, with a progress bar on `progress`.
 */
export async function ensureChatIndex(options: ChatIndexOptions): Promise<ChatIndexResult> {
  const embedder = await sharedEmbedder(options.embedder);
  const fingerprint = corpusFingerprint(options.corpus);
  const reason = await staleness(options, embedder.name, fingerprint);
  if (reason === undefined) {
    const lease = await acquireDatabase(options.dbPath);
    try {
      return { chunks: (await lease.db.describeCollection(CHAT_COLLECTION)).count };
    } finally {
      await lease.release();
    }
  }
  options.progress.write(`building the docs index in ${options.dbPath} (${reason})\n`);
  // DirectorySource reads one directory: the corpus files are copied into a scratch one, paths kept.
  const staging = mkdtempSync(join(tmpdir(), 'sage-chat-corpus-'));
  try {
    for (const file of options.corpus.files) {
      const target = join(staging, ...file.split('/'));
      mkdirSync(dirname(target), { recursive: true });
      copyFileSync(join(options.corpus.root, file), target);
    }
    const plan: BuildIndexOptions = { directory: staging, collection: CHAT_COLLECTION, dbPath: options.dbPath, embedder: options.embedder, extensions: ['md'] };
    const { chunks } = await countChunks(plan);
    const lease = await acquireDatabase(options.dbPath);
    try {
      await lease.db.dropCollection(CHAT_COLLECTION);
      await lease.db.createCollection(CHAT_COLLECTION, {
        dimension: embedder.dimension,
        metric: 'cosine',
        metadata: { embedder: embedder.name, fingerprint, chunks },
      });
    } finally {
      await lease.release();
    }
    const result = await buildIndexWithProgress(plan, options.progress);
    return { built: reason, chunks: result.chunks };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
