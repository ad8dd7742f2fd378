import { StorageError } from '@sage/common';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { IndexKind, IndexParams, Metadata, Metric } from '../types.js';
import { writeFileAtomic } from './durable-file.js';

export const MANIFEST_FILE = 'manifest.json';
const FORMAT = 'sage-db-collection';
export const MANIFEST_VERSION = 1;

/**
 * The commit point of a collection's storage: it names the snapshot generation in force (records file,
 * vectors file, write-ahead log). Replacing it atomically is what makes a checkpoint all-or-nothing.
 */
export interface CollectionManifest {
  format: typeof FORMAT;
  version: number;
  name: string;
  settings: { dimension: number; metric: Metric; kind: IndexKind; params: IndexParams };
  /** Which vector backend wrote the vectors file (`faiss` or `exact`): their files differ. */
  backend: string;
  generation: number;
  records: { file: string; crc32: number; bytes: number };
  vectors: { file: string };
  wal: { file: string };
  /** The collection's own labels (CollectionOptions.metadata); absent in collections created without. */
  metadata?: Metadata;
}

export function generationFiles(generation: number) {
  return {
    records: `records-${generation}.json`,
    vectors: `vectors-${generation}.bin`,
    wal: `wal-${generation}.log`,
  };
}

export async function readManifest(directory: string): Promise<CollectionManifest> {
  const path = join(directory, MANIFEST_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new StorageError(path, 'not a SageDB collection (no manifest)', { cause });
  }
  let manifest: Partial<CollectionManifest>;
  try {
    manifest = JSON.parse(text);
  } catch (cause) {
    throw new StorageError(path, 'collection manifest is not valid JSON (corrupt)', { cause });
  }
  if (manifest.format !== FORMAT) throw new StorageError(path, 'not a SageDB collection manifest');
  if (manifest.version !== MANIFEST_VERSION) {
    throw new StorageError(path, `collection format version ${manifest.version} is not supported (this release reads ${MANIFEST_VERSION})`);
  }
  return manifest as CollectionManifest;
}

export function writeManifest(directory: string, manifest: CollectionManifest): Promise<void> {
  return writeFileAtomic(join(directory, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
}

export const MANIFEST_FORMAT = FORMAT;
