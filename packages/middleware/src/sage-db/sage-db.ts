import { getLogger, StorageError, ValidationError } from '@sage/common';
import { mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { type BackendChoice, backendNamed, chooseBackend } from './backend-choice.js';
import { Collection } from './collection.js';
import { resolveCollectionSettings } from './collection-settings.js';
import { checkMetadata } from './record-input.js';
import { CollectionStorage } from './storage/collection-storage.js';
import { syncDirectory, writeFileAtomic } from './storage/durable-file.js';
import type { CollectionInfo, CollectionOptions } from './types.js';
import type { VectorIndexBackendFactory } from './vector-index-backend.js';

const MARKER_FILE = 'sagedb.json';
const MARKER = { format: 'sage-db', version: 1 };
const COLLECTION_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

export interface SageDBOptions {
  /**
   * Vector backend: `faiss` (the native sage_db addon), `exact` (in-process exact scan), or `auto`
   * (default): faiss when the addon is built, else exact with a warning.
   */
  backend?: BackendChoice;
}

/**
 * A vector database in one directory, holding named collections.
 *
 * ```ts
 * const db = await SageDB.open('./data/kb');
 * const docs = await db.createCollection('docs', { dimension: 384, metric: 'cosine', index: 'hnsw' });
 * await docs.upsert([{ id: 'a1', vector, metadata: { year: 2024 }, text: 'How to reset…' }]);
 * const hits = await docs.search(queryVector, { k: 10, filter: { year: { $gte: 2020 } } });
 * await db.close();
 * ```
 */
export class SageDB {
  private readonly open = new Map<string, Promise<Collection>>();
  private closed = false;

  private constructor(
    readonly path: string,
    private readonly factory: VectorIndexBackendFactory,
    /** `faiss` or `exact`: the backend new collections get (existing ones keep the one that wrote them). */
    readonly backend: string,
  ) {}

  /** Opens the database at `path`, creating the directory when missing. */
  static async open(path: string, options: SageDBOptions = {}): Promise<SageDB> {
    if (typeof path !== 'string' || path.length === 0) throw new ValidationError('SageDB.open: path must be a non-empty string');
    const { factory, name } = await chooseBackend(options.backend ?? 'auto', getLogger());
    await prepareDirectory(path);
    return new SageDB(path, factory, name);
  }

  /** Creates a collection; fails if one with that name exists. */
  async createCollection(name: string, options: CollectionOptions): Promise<Collection> {
    this.assertOpen();
    checkName(name);
    const settings = resolveCollectionSettings(`createCollection("${name}")`, options);
    const directory = this.collectionDirectory(name);
    if (await exists(directory)) throw new ValidationError(`createCollection: collection "${name}" already exists`);
    const metadata = checkMetadata(`createCollection("${name}"): metadata`, options.metadata);
    await CollectionStorage.create(directory, name, settings, this.factory, this.backend, metadata);
    return this.collection(name);
  }

  /** Opens an existing collection (once per database instance; later calls share it). */
  collection(name: string): Promise<Collection> {
    this.assertOpen();
    checkName(name);
    let opening = this.open.get(name);
    if (opening === undefined) {
      opening = (async () => {
        const directory = this.collectionDirectory(name);
        if (!(await exists(directory))) {
          throw new ValidationError(`collection "${name}" does not exist (collections: ${(await this.listCollections()).join(', ') || 'none'})`);
        }
        const { storage, store } = await CollectionStorage.open(directory, backendNamed);
        return new Collection(storage, store);
      })();
      this.open.set(name, opening);
      opening.catch(() => this.open.delete(name));
    }
    return opening;
  }

  /** Opens the collection, creating it with `options` when it does not exist. */
  async getOrCreateCollection(name: string, options: CollectionOptions): Promise<Collection> {
    return (await exists(this.collectionDirectory(name))) ? this.collection(name) : this.createCollection(name, options);
  }

  async listCollections(): Promise<string[]> {
    this.assertOpen();
    const entries = await readdir(join(this.path, 'collections'), { withFileTypes: true }).catch(() => []);
    return entries.filter((entry) => entry.isDirectory() && !entry.name.startsWith('.')).map((entry) => entry.name).sort();
  }

  async describeCollection(name: string): Promise<CollectionInfo> {
    return (await this.collection(name)).info();
  }

  /** Deletes a collection and its files; resolves false when it did not exist. */
  async dropCollection(name: string): Promise<boolean> {
    this.assertOpen();
    checkName(name);
    const directory = this.collectionDirectory(name);
    if (!(await exists(directory))) return false;
    const opened = this.open.get(name);
    this.open.delete(name);
    if (opened !== undefined) await (await opened.catch(() => undefined))?.close();
    // Renamed away first, so a crash mid-delete never leaves a half-deleted collection under its name.
    const doomed = join(this.path, 'collections', `.dropped-${name}-${Date.now()}`);
    await rename(directory, doomed);
    await syncDirectory(join(this.path, 'collections'));
    await rm(doomed, { recursive: true, force: true });
    return true;
  }

  /** Closes every open collection (each checkpoints its log first). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const collections = await Promise.allSettled(this.open.values());
    this.open.clear();
    for (const result of collections) if (result.status === 'fulfilled') await result.value.close();
  }

  private collectionDirectory(name: string): string {
    return join(this.path, 'collections', name);
  }

  private assertOpen(): void {
    if (this.closed) throw new ValidationError(`SageDB at ${this.path} is closed`);
  }
}

function checkName(name: string): void {
  if (typeof name !== 'string' || !COLLECTION_NAME.test(name)) {
    throw new ValidationError(
      `collection name must be 1-128 letters, digits, "_", "-" or "." starting with a letter or digit, got ${JSON.stringify(name)}`,
    );
  }
}

/** Creates the database directory, or checks that an existing one is a SageDB database. */
async function prepareDirectory(path: string): Promise<void> {
  const info = await stat(path).catch(() => undefined);
  if (info !== undefined && !info.isDirectory()) throw new StorageError(path, 'is a file, not a SageDB database directory');
  const marker = join(path, MARKER_FILE);
  if (info === undefined || (await interruptedCreation(path))) {
    await mkdir(join(path, 'collections'), { recursive: true });
    await writeFileAtomic(marker, `${JSON.stringify(MARKER)}\n`);
    return;
  }
  const text = await readFile(marker, 'utf8').catch(() => undefined);
  if (text === undefined) throw new StorageError(path, `is not a SageDB database (no ${MARKER_FILE}) and is not empty`);
  let parsed: { format?: string; version?: number };
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new StorageError(marker, 'is corrupt (not JSON)', { cause });
  }
  if (parsed.format !== MARKER.format) throw new StorageError(path, `is not a SageDB database (${MARKER_FILE} has format ${String(parsed.format)})`);
  if (parsed.version !== MARKER.version) {
    throw new StorageError(path, `database format version ${parsed.version} is not supported (this release reads ${MARKER.version})`);
  }
  await mkdir(join(path, 'collections'), { recursive: true });
  await removeLeftovers(join(path, 'collections'));
}

/**
 * An empty directory, or what creating a database leaves when the process dies before the marker is in place
 * (an empty `collections/`, a `sagedb.json.tmp`): nothing was ever stored there, so it is created afresh.
 */
async function interruptedCreation(path: string): Promise<boolean> {
  const entries = await readdir(path);
  if (!entries.every((entry) => entry === 'collections' || entry === `${MARKER_FILE}.tmp`)) return false;
  if (!entries.includes('collections')) return true;
  const collections = await readdir(join(path, 'collections')).catch(() => undefined);
  return collections !== undefined && collections.length === 0;
}

/** Collections half-created or half-dropped when a process died; they were never visible under their name. */
async function removeLeftovers(collections: string): Promise<void> {
  const entries = await readdir(collections);
  const leftovers = entries.filter((entry) => entry.startsWith('.creating-') || entry.startsWith('.dropped-'));
  await Promise.all(leftovers.map((entry) => rm(join(collections, entry), { recursive: true, force: true })));
}

async function exists(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined)) !== undefined;
}
