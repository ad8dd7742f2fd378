import { LocalEnvironment } from '@sage/kernel';
import { DirectorySource } from '../../io/directory-source.js';
import { Chunker, type ChunkerConfig } from '../chunking/chunker.js';
import type { EmbedderSpec } from '../embedder-resolution.js';
import { acquireDatabase } from '../knowledge-base.js';
import { IndexWriter } from './index-writer.js';
import { ProgressBar, type TextSink } from './progress-bar.js';

export interface BuildIndexOptions {
  /** Directory of documents (txt, md, html, json). */
  directory: string;
  collection: string;
  /** Database directory; default `SAGE_DB_PATH` or `./data/kb`. */
  dbPath?: string;
  /** Default `use-lite`. */
  embedder?: EmbedderSpec;
  /** Default: recursive splitter, 800 characters, 100 overlap. */
  chunking?: ChunkerConfig;
  /** Default true. */
  recursive?: boolean;
  extensions?: string[];
  /** Documents embedded together; default 64. */
  batchSize?: number;
  /** Called with the number of chunks stored so far. */
  onProgress?: (chunks: number) => void;
}

export interface BuildIndexResult {
  documents: number;
  chunks: number;
  ms: number;
}

export const DEFAULT_CHUNKING: ChunkerConfig = { splitter: 'recursive', chunkSize: 800, chunkOverlap: 100 };

/**
 * How many chunks `buildIndex` will store for these options: the same reading and chunking, without the
 * embedding (which is what takes the time). For progress bars.
 */
export async function countChunks(options: BuildIndexOptions): Promise<{ documents: number; chunks: number }> {
  const env = new LocalEnvironment('sage_index_plan', { handleSignals: false });
  let documents = 0;
  let chunks = 0;
  chunkStream(env, options, () => documents++).sink(() => {
    chunks++;
  });
  await env.submit({ autostop: true });
  return { documents, chunks };
}

/** The directory's documents, counted by `onDocument`, split into chunks. */
function chunkStream(env: LocalEnvironment, options: BuildIndexOptions, onDocument: () => void) {
  return env
    .fromBatch(DirectorySource, {
      directoryPath: options.directory,
      recursive: options.recursive ?? true,
      ...(options.extensions ? { extensions: options.extensions } : {}),
    })
    .map((document) => {
      onDocument();
      return document;
    })
    .flatMap(Chunker, options.chunking ?? DEFAULT_CHUNKING);
}

/**
 * Chunks, embeds and stores every document of a directory: the pipeline DirectorySource -> Chunker ->
 * IndexWriter, run locally. Re-running it replaces chunks by id (chunk ids are stable), so it is safe to
 * repeat after editing documents (chunks of deleted documents stay until the collection is dropped).
 */
export async function buildIndex(options: BuildIndexOptions): Promise<BuildIndexResult> {
  const started = performance.now();
  const env = new LocalEnvironment('sage_index_build', { handleSignals: false });
  let documents = 0;
  let chunks = 0;
  chunkStream(env, options, () => documents++).sink(IndexWriter, {
    collection: options.collection,
    ...(options.dbPath ? { dbPath: options.dbPath } : {}),
    ...(options.embedder ? { embedder: options.embedder } : {}),
    ...(options.batchSize ? { batchSize: options.batchSize } : {}),
    onProgress: (written) => {
      chunks = written;
      options.onProgress?.(written);
    },
  });
  await env.submit({ autostop: true });
  return { documents, chunks, ms: performance.now() - started };
}

export interface EnsureIndexResult {
  /** False when the collection already held chunks and was left as it was. */
  built: boolean;
  chunks: number;
}

/**
 * Builds the collection from `directory` unless it already holds chunks (then it is used as it is: run
 * `buildIndex` or `sage index build` to refresh it). While building, a progress bar goes to `progress`
 * (default stderr).
 */
export async function ensureIndex(options: BuildIndexOptions & { progress?: TextSink }): Promise<EnsureIndexResult> {
  const lease = await acquireDatabase(options.dbPath);
  try {
    const existing = (await lease.db.listCollections()).includes(options.collection) ? (await lease.db.collection(options.collection)).count : 0;
    if (existing > 0) return { built: false, chunks: existing };
  } finally {
    await lease.release();
  }
  const result = await buildIndexWithProgress(options, options.progress);
  return { built: true, chunks: result.chunks };
}

/** `buildIndex` with a progress bar over the chunks on `out` (default stderr) and a summary line at the end. */
export async function buildIndexWithProgress(options: BuildIndexOptions, out: TextSink = process.stderr): Promise<BuildIndexResult> {
  const { documents, chunks } = await countChunks(options);
  const bar = new ProgressBar(out, `indexing ${documents} documents`, chunks, 'chunks');
  const result = await buildIndex({ ...options, onProgress: (written) => bar.update(written) });
  bar.finish(`indexed ${result.documents} documents as ${result.chunks} chunks in ${(result.ms / 1000).toFixed(1)} s`);
  return result;
}
