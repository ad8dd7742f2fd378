import { resolve } from 'node:path';
import { buildIndexWithProgress, defaultDbPath } from '@sage/libs/rag';
import type { CliIo } from '../cli-io.js';
import { EXIT_OK } from '../exit-codes.js';

export interface IndexBuildOptions {
  collection: string;
  db?: string;
  embedder: string;
  chunkSize: number;
  chunkOverlap: number;
  splitter: 'recursive' | 'character' | 'sentence';
  extensions?: string[];
}

/** `sage index build <dir>`: the ingest pipeline with a progress bar on stderr and a summary on stdout. */
export async function indexBuild(directory: string, options: IndexBuildOptions, io: CliIo): Promise<number> {
  const dbPath = resolve(io.cwd, options.db ?? defaultDbPath(io.env));
  const chunking =
    options.splitter === 'sentence'
      ? { splitter: 'sentence' as const, chunkSize: options.chunkSize }
      : { splitter: options.splitter, chunkSize: options.chunkSize, chunkOverlap: options.chunkOverlap };
  const plan = {
    directory: resolve(io.cwd, directory),
    collection: options.collection,
    dbPath,
    embedder: options.embedder,
    chunking,
    ...(options.extensions ? { extensions: options.extensions } : {}),
  };
  const result = await buildIndexWithProgress(plan, io.stderr);
  io.stdout.write(`collection "${options.collection}" in ${dbPath}: ${result.chunks} chunks, embedder ${options.embedder}\n`);
  return EXIT_OK;
}
