import { crc32, StorageError } from '@sage/common';
import { mkdir, readdir, readFile, rename } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { RecordStore } from '../record-store.js';
import type { Metadata } from '../types.js';
import type { BackendSettings, VectorIndexBackendFactory } from '../vector-index-backend.js';
import {
  type CollectionManifest,
  generationFiles,
  MANIFEST_FILE,
  MANIFEST_FORMAT,
  MANIFEST_VERSION,
  readManifest,
  writeManifest,
} from './collection-manifest.js';
import { removeFiles, syncDirectory, writeFileAtomic } from './durable-file.js';
import { decodeOperation, encodeOperation, type WalOperation } from './wal-codec.js';
import { WriteAheadLog } from './write-ahead-log.js';

/** The log is folded into a new snapshot once it passes this size. */
export const CHECKPOINT_WAL_BYTES = 64 * 2 ** 20;

type SnapshotRow = [string, number, Metadata, string?];

/**
 * A collection's files: `manifest.json` names the generation in force; `records-N.json` (ids, labels,
 * metadata, text, with its CRC-32 in the manifest) and `vectors-N.bin` (the backend's own file) are the
 * snapshot; `wal-N.log` holds every acknowledged write since. A checkpoint writes generation N+1 beside
 * N and switches by replacing the manifest; a crash at any point leaves one complete generation.
 */
export class CollectionStorage {
  private constructor(
    private readonly directory: string,
    private manifest: CollectionManifest,
    private wal: WriteAheadLog,
  ) {}

  get name(): string {
    return this.manifest.name;
  }

  get settings(): BackendSettings {
    const { dimension, metric, kind, params } = this.manifest.settings;
    return { dimension, metric, kind, params };
  }

  get metadata(): Metadata {
    return { ...this.manifest.metadata };
  }

  get walBytes(): number {
    return this.wal.size;
  }

  /**
   * Creates the collection's directory with an empty generation 0. The directory appears whole or not at
   * all: it is built under a temporary name and renamed into place.
   */
  static async create(
    directory: string,
    name: string,
    settings: BackendSettings,
    factory: VectorIndexBackendFactory,
    backendName: string,
    metadata: Metadata = {},
  ): Promise<void> {
    const building = join(dirname(directory), `.creating-${basename(directory)}-${process.pid}`);
    await mkdir(building, { recursive: true });
    const files = generationFiles(0);
    const backend = factory.create(settings);
    try {
      await backend.save(join(building, files.vectors));
    } finally {
      backend.close();
    }
    const records = Buffer.from('[]');
    await writeFileAtomic(join(building, files.records), records);
    await writeFileAtomic(join(building, files.wal), '');
    await writeManifest(building, {
      format: MANIFEST_FORMAT,
      version: MANIFEST_VERSION,
      name,
      settings: { ...settings, params: { ...settings.params } },
      backend: backendName,
      generation: 0,
      records: { file: files.records, crc32: crc32(records), bytes: records.length },
      vectors: { file: files.vectors },
      wal: { file: files.wal },
      ...(Object.keys(metadata).length > 0 ? { metadata } : {}),
    });
    await rename(building, directory);
    await syncDirectory(dirname(directory));
  }

  /**
   * Opens the generation in force and replays its log; returns the storage and the rebuilt records.
   * `factoryFor` gives the vector backend that wrote the collection (its files are backend-specific).
   */
  static async open(
    directory: string,
    factoryFor: (backendName: string) => Promise<VectorIndexBackendFactory>,
  ): Promise<{ storage: CollectionStorage; store: RecordStore }> {
    const manifest = await readManifest(directory);
    const factory = await factoryFor(manifest.backend);
    const rows = await readRecords(directory, manifest);
    const vectorsPath = join(directory, manifest.vectors.file);
    const backend = await factory.load(vectorsPath, { ...manifest.settings }).catch((error: unknown) => {
      throw asStorageError(vectorsPath, error);
    });
    const store = new RecordStore(backend);
    store.restore(rows);
    const walPath = join(directory, manifest.wal.file);
    const { log, entries } = await WriteAheadLog.open(walPath);
    const storage = new CollectionStorage(directory, manifest, log);
    for (const entry of entries) await apply(store, decodeOperation(entry, walPath));
    await storage.removeStaleFiles();
    return { storage, store };
  }

  /** Logs a write durably; call before applying it. */
  log(operation: WalOperation): Promise<void> {
    return this.wal.append(encodeOperation(operation));
  }

  shouldCheckpoint(): boolean {
    return this.wal.size >= CHECKPOINT_WAL_BYTES;
  }

  /** Writes generation N+1 from the live state and switches to it. Callers hold the write lock. */
  async checkpoint(store: RecordStore): Promise<void> {
    const backend = store.backend;
    if (backend.nextLabel - backend.size > backend.size / 4) store.relabel(await backend.compact());
    const generation = this.manifest.generation + 1;
    const files = generationFiles(generation);
    await backend.save(join(this.directory, files.vectors));
    const records = Buffer.from(JSON.stringify(store.snapshot()));
    await writeFileAtomic(join(this.directory, files.records), records);
    await writeFileAtomic(join(this.directory, files.wal), '');
    const next: CollectionManifest = {
      ...this.manifest,
      generation,
      records: { file: files.records, crc32: crc32(records), bytes: records.length },
      vectors: { file: files.vectors },
      wal: { file: files.wal },
    };
    await writeManifest(this.directory, next);
    this.manifest = next;
    await this.wal.close();
    this.wal = (await WriteAheadLog.open(join(this.directory, files.wal))).log;
    await this.removeStaleFiles();
  }

  async close(): Promise<void> {
    await this.wal.close();
  }

  /** Deletes files of older generations and leftovers of interrupted writes. */
  private async removeStaleFiles(): Promise<void> {
    const keep = new Set([MANIFEST_FILE, this.manifest.records.file, this.manifest.vectors.file, this.manifest.wal.file]);
    const stale = (await readdir(this.directory)).filter((file) => !keep.has(file));
    await removeFiles(stale.map((file) => join(this.directory, file)));
  }
}

/** Backends report unreadable files with `SAGE_DB_*` codes; callers see one `StorageError` type. */
function asStorageError(path: string, error: unknown): unknown {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (error instanceof StorageError || typeof code !== 'string' || !code.startsWith('SAGE_DB_')) return error;
  return new StorageError(path, (error as Error).message, { cause: error, details: { code } });
}

async function readRecords(directory: string, manifest: CollectionManifest): Promise<SnapshotRow[]> {
  const path = join(directory, manifest.records.file);
  const bytes = await readFile(path).catch((cause: unknown) => {
    throw new StorageError(path, 'records snapshot is missing', { cause });
  });
  if (bytes.length !== manifest.records.bytes || crc32(bytes) !== manifest.records.crc32) {
    throw new StorageError(path, 'records snapshot is corrupt (size or checksum differs from the manifest)');
  }
  return JSON.parse(bytes.toString('utf8')) as SnapshotRow[];
}

async function apply(store: RecordStore, operation: WalOperation): Promise<void> {
  if (operation.op === 'delete') {
    await store.delete(operation.ids);
    return;
  }
  const dimension = store.backend.dimension;
  const vectors = new Float32Array(operation.records.length * dimension);
  operation.records.forEach((record, index) => {
    vectors.set(record.vector, index * dimension);
  });
  await store.upsert(
    operation.records.map((record) => record.id),
    vectors,
    operation.records.map((record) => record.metadata),
    operation.records.map((record) => record.text),
  );
}
