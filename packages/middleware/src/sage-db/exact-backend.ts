import { randomBytes } from 'node:crypto';
import { type FileHandle, open, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { crc32, ValidationError } from '@sage/common';
import { bitmapHas } from './filter/bitmap.js';
import { TopK } from './text/top-k.js';
import type { IndexKind, IndexParams, Metric } from './types.js';
import type {
  BackendResult,
  BackendSearchOptions,
  BackendSettings,
  VectorIndexBackend,
  VectorIndexBackendFactory,
} from './vector-index-backend.js';

/**
 * The vector backend in plain TypeScript: an exact scan over a contiguous `Float32Array`. It is what runs
 * when the native addon is not built, and the reference the addon's results are tested against. Whatever
 * `kind` a collection asks for is recorded, but search is always exact, so `search` returns exactly
 * `min(k, candidates)` results.
 */
export const exactBackendFactory: VectorIndexBackendFactory = {
  create(settings: BackendSettings): VectorIndexBackend {
    checkSettings(settings);
    return new ExactBackend(settings, new Float32Array(0), new Uint8Array(0), 0);
  },
  load(path: string, settings: BackendSettings): Promise<VectorIndexBackend> {
    checkSettings(settings);
    return readIndexFile(path, settings);
  },
};

export type IndexFileErrorCode = 'SAGE_DB_NOT_INDEX_FILE' | 'SAGE_DB_CORRUPT' | 'SAGE_DB_VERSION';

/**
 * A file `load` refuses: not written by this backend (`SAGE_DB_NOT_INDEX_FILE`), damaged or truncated, or
 * not matching the collection (`SAGE_DB_CORRUPT`), or from an unknown format version (`SAGE_DB_VERSION`).
 * Collection storage turns these into a `StorageError`.
 */
export class IndexFileError extends Error {
  readonly code: IndexFileErrorCode;
  readonly path: string;
  readonly details: Record<string, unknown>;

  constructor(code: IndexFileErrorCode, path: string, problem: string) {
    super(`${path}: ${problem}`);
    this.name = 'IndexFileError';
    this.code = code;
    this.path = path;
    this.details = { path };
  }
}

/*
 * File format, version 1, little-endian; the CRC-32 at the end covers every byte before it.
 *
 *   0   8  magic "SAGEDBJS"
 *   8   4  u32 version (1)
 *  12   4  u32 dimension
 *  16   1  u8 metric (METRICS index)        17  1  u8 kind (KINDS index)       18  2  zero
 *  20   4  u32 labels (next label)          24  4  u32 live vectors            28  4  zero
 *  32  64  f64 × 8 index parameters, in PARAM_NAMES order
 *  96      f32 × labels × dimension: vectors by label (removed ones written as zeros)
 *      …   u8 × ceil(labels / 8): removed bitmap (bit label % 8 of byte label >> 3)
 *      …   u32 CRC-32
 */
const MAGIC = Buffer.from('SAGEDBJS', 'latin1');
const FORMAT_VERSION = 1;
const HEADER_BYTES = 96;
const METRICS: readonly Metric[] = ['l2', 'ip', 'cosine'];
const KINDS: readonly IndexKind[] = ['flat', 'hnsw', 'ivf_flat', 'ivf_pq', 'auto'];
const PARAM_NAMES: readonly (keyof IndexParams)[] = ['M', 'efConstruction', 'efSearch', 'nlist', 'nprobe', 'pqM', 'pqNbits', 'autoThreshold'];
/** Vectors are written and read in pieces of about this many bytes. */
const CHUNK_BYTES = 1 << 22;
const MAX_LABELS = 0xffff_ffff;
const MAX_DIMENSION = 65_536;
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

class ExactBackend implements VectorIndexBackend {
  readonly dimension: number;
  readonly metric: Metric;
  readonly kind: IndexKind;
  readonly params: IndexParams;
  /** Rows of `dimension` floats by label; capacity grows by half each time it runs out. */
  private store: Float32Array;
  /** One byte per label: 1 when removed. */
  private removed: Uint8Array;
  private labelCount: number;
  private liveCount: number;
  private closed = false;

  constructor(settings: BackendSettings, store: Float32Array, removed: Uint8Array, labelCount: number) {
    this.dimension = settings.dimension;
    this.metric = settings.metric;
    this.kind = settings.kind;
    this.params = { ...settings.params };
    this.store = store;
    this.removed = removed;
    this.labelCount = labelCount;
    let live = 0;
    for (let label = 0; label < labelCount; label++) if (removed[label] === 0) live++;
    this.liveCount = live;
  }

  get size(): number {
    return this.liveCount;
  }

  get nextLabel(): number {
    return this.labelCount;
  }

  async add(vectors: Float32Array): Promise<number> {
    this.assertOpen();
    const dimension = this.dimension;
    if (!(vectors instanceof Float32Array) || vectors.length % dimension !== 0) {
      throw new ValidationError(`exact backend: add takes a Float32Array of count × ${dimension} floats, got ${describeArray(vectors)}`);
    }
    const count = vectors.length / dimension;
    const first = this.labelCount;
    if (first + count > MAX_LABELS) throw new ValidationError(`exact backend: more than ${MAX_LABELS} labels`);
    this.reserve(first + count);
    this.store.set(vectors, first * dimension);
    if (this.metric === 'cosine') {
      for (let row = 0; row < count; row++) normalise(this.store, (first + row) * dimension, dimension);
    }
    this.labelCount += count;
    this.liveCount += count;
    return first;
  }

  async remove(labels: readonly number[]): Promise<void> {
    this.assertOpen();
    for (const label of labels) {
      if (Number.isInteger(label) && label >= 0 && label < this.labelCount && this.removed[label] === 0) {
        this.removed[label] = 1;
        this.liveCount--;
      }
    }
  }

  /** A copy of the stored row (normalised for cosine), or undefined for a removed or unknown label. */
  vector(label: number): Float32Array | undefined {
    this.assertOpen();
    if (!this.isLive(label)) return undefined;
    return this.store.slice(label * this.dimension, (label + 1) * this.dimension);
  }

  async search(queries: Float32Array, k: number, options: BackendSearchOptions = {}): Promise<BackendResult[]> {
    return this.searchSync(queries, k, options);
  }

  searchSync(queries: Float32Array, k: number, options: BackendSearchOptions = {}): BackendResult[] {
    this.assertOpen();
    const prepared = this.prepareQueries('search', queries, k);
    const allowed = options.allowed;
    if (allowed !== undefined && !(allowed instanceof Uint8Array)) {
      throw new ValidationError('exact backend: search option allowed must be a Uint8Array bitmap');
    }
    return prepared.map((query) => {
      const top = new TopK(Math.min(k, this.liveCount));
      for (let label = 0; label < this.labelCount; label++) {
        if (this.removed[label] !== 0 || (allowed !== undefined && !bitmapHas(allowed, label))) continue;
        top.push(label, this.score(query, label));
      }
      return toResult(top);
    });
  }

  async searchSubset(queries: Float32Array, k: number, labels: Uint32Array): Promise<BackendResult[]> {
    return this.searchSubsetSync(queries, k, labels);
  }

  searchSubsetSync(queries: Float32Array, k: number, labels: Uint32Array): BackendResult[] {
    this.assertOpen();
    const prepared = this.prepareQueries('searchSubset', queries, k);
    if (!(labels instanceof Uint32Array)) throw new ValidationError('exact backend: searchSubset labels must be a Uint32Array');
    // A label given twice must not appear twice in the results.
    const candidates = isStrictlyIncreasing(labels) ? labels : Uint32Array.from(new Set(labels));
    return prepared.map((query) => {
      const top = new TopK(Math.min(k, candidates.length));
      for (const label of candidates) {
        if (label < this.labelCount && this.removed[label] === 0) top.push(label, this.score(query, label));
      }
      return toResult(top);
    });
  }

  /** Moves live rows down over removed ones, in label order, into new arrays (a `save` in progress keeps its view). */
  async compact(): Promise<Int32Array> {
    this.assertOpen();
    const dimension = this.dimension;
    const remap = new Int32Array(this.labelCount).fill(-1);
    const store = new Float32Array(Math.max(this.liveCount, 16) * dimension);
    let next = 0;
    for (let label = 0; label < this.labelCount; label++) {
      if (this.removed[label] !== 0) continue;
      store.set(this.store.subarray(label * dimension, (label + 1) * dimension), next * dimension);
      remap[label] = next++;
    }
    this.store = store;
    this.removed = new Uint8Array(store.length / dimension);
    this.labelCount = next;
    this.liveCount = next;
    return remap;
  }

  async save(path: string): Promise<void> {
    this.assertOpen();
    // Fixed now: adds and compactions while the file is written do not touch these rows (the store is
    // only ever replaced, or written past labelCount), and the removed flags are copied.
    const labelCount = this.labelCount;
    const store = this.store;
    const removed = this.removed.slice(0, labelCount);
    const header = encodeHeader(this, labelCount, this.liveCount);
    await writeFileAtomically(path, async (write) => {
      await write(header);
      await writeRows(write, store, removed, labelCount, this.dimension);
      await write(packBits(removed, labelCount));
    });
  }

  close(): void {
    this.closed = true;
    this.store = new Float32Array(0);
    this.removed = new Uint8Array(0);
  }

  private isLive(label: number): boolean {
    return Number.isInteger(label) && label >= 0 && label < this.labelCount && this.removed[label] === 0;
  }

  /** Splits and checks the queries; for cosine, normalised copies. */
  private prepareQueries(method: string, queries: Float32Array, k: number): Float32Array[] {
    const dimension = this.dimension;
    if (!(queries instanceof Float32Array) || queries.length % dimension !== 0) {
      throw new ValidationError(`exact backend: ${method} takes a Float32Array of count × ${dimension} floats, got ${describeArray(queries)}`);
    }
    if (!Number.isInteger(k) || k < 0) throw new ValidationError(`exact backend: ${method} k must be a non-negative integer, got ${k}`);
    const prepared: Float32Array[] = [];
    for (let offset = 0; offset < queries.length; offset += dimension) {
      const query = queries.subarray(offset, offset + dimension);
      if (this.metric !== 'cosine') prepared.push(query);
      else {
        const copy = query.slice();
        normalise(copy, 0, dimension);
        prepared.push(copy);
      }
    }
    return prepared;
  }

  /** Higher is closer: inner product (cosine on normalised rows), or minus the squared L2 distance. */
  private score(query: Float32Array, label: number): number {
    const store = this.store;
    const dimension = this.dimension;
    const base = label * dimension;
    let sum = 0;
    if (this.metric === 'l2') {
      for (let i = 0; i < dimension; i++) {
        const difference = query[i] - store[base + i];
        sum += difference * difference;
      }
      return Math.fround(-sum);
    }
    for (let i = 0; i < dimension; i++) sum += query[i] * store[base + i];
    // Ranked by the float32 value returned, so ties the caller sees are broken by label.
    return Math.fround(sum);
  }

  private reserve(labels: number): void {
    const dimension = this.dimension;
    const capacity = this.store.length / dimension;
    if (labels <= capacity) return;
    const grown = Math.min(MAX_LABELS, Math.max(labels, 16, Math.ceil(capacity * 1.5)));
    const store = new Float32Array(grown * dimension);
    store.set(this.store.subarray(0, this.labelCount * dimension));
    const removed = new Uint8Array(grown);
    removed.set(this.removed.subarray(0, this.labelCount));
    this.store = store;
    this.removed = removed;
  }

  private assertOpen(): void {
    if (this.closed) throw new ValidationError('exact backend: used after close()');
  }
}

function toResult(top: TopK): BackendResult {
  const { labels, scores } = top.drain();
  return { labels, scores: Float32Array.from(scores) };
}

/** Scales a row to unit length in place; an all-zero row stays zero (it scores 0 against everything). */
function normalise(data: Float32Array, offset: number, dimension: number): void {
  let squares = 0;
  for (let i = 0; i < dimension; i++) squares += data[offset + i] * data[offset + i];
  if (squares === 0) return;
  const scale = 1 / Math.sqrt(squares);
  for (let i = 0; i < dimension; i++) data[offset + i] *= scale;
}

function isStrictlyIncreasing(labels: Uint32Array): boolean {
  for (let i = 1; i < labels.length; i++) if (labels[i - 1] >= labels[i]) return false;
  return true;
}

function checkSettings(settings: BackendSettings): void {
  const { dimension, metric, kind, params } = settings ?? ({} as BackendSettings);
  if (!Number.isInteger(dimension) || dimension < 1 || dimension > MAX_DIMENSION) {
    throw new ValidationError(`exact backend: dimension must be an integer from 1 to ${MAX_DIMENSION}, got ${dimension}`);
  }
  if (!METRICS.includes(metric)) throw new ValidationError(`exact backend: metric must be one of ${METRICS.join(', ')}, got ${metric}`);
  if (!KINDS.includes(kind)) throw new ValidationError(`exact backend: kind must be one of ${KINDS.join(', ')}, got ${kind}`);
  for (const name of PARAM_NAMES) {
    if (typeof params?.[name] !== 'number') throw new ValidationError(`exact backend: params.${name} must be a number`);
  }
}

function describeArray(value: unknown): string {
  if (value instanceof Float32Array) return `${value.length} floats`;
  return value === null || typeof value !== 'object' ? String(value) : (value.constructor?.name ?? 'an object');
}

// ---- the file ------------------------------------------------------------------------------------------

type Write = (bytes: Uint8Array) => Promise<void>;

function encodeHeader(backend: ExactBackend, labelCount: number, liveCount: number): Buffer {
  const header = Buffer.alloc(HEADER_BYTES);
  MAGIC.copy(header, 0);
  header.writeUInt32LE(FORMAT_VERSION, 8);
  header.writeUInt32LE(backend.dimension, 12);
  header.writeUInt8(METRICS.indexOf(backend.metric), 16);
  header.writeUInt8(KINDS.indexOf(backend.kind), 17);
  header.writeUInt32LE(labelCount, 20);
  header.writeUInt32LE(liveCount, 24);
  PARAM_NAMES.forEach((name, index) => {
    header.writeDoubleLE(backend.params[name], 32 + 8 * index);
  });
  return header;
}

/** Rows in chunks, through a scratch copy where removed rows are zeroed (deleted data stays deleted). */
async function writeRows(write: Write, store: Float32Array, removed: Uint8Array, labelCount: number, dimension: number): Promise<void> {
  const rowsPerChunk = Math.max(1, Math.floor(CHUNK_BYTES / (4 * dimension)));
  const scratch = new Float32Array(Math.min(rowsPerChunk, labelCount) * dimension);
  for (let first = 0; first < labelCount; first += rowsPerChunk) {
    const rows = Math.min(rowsPerChunk, labelCount - first);
    const chunk = scratch.subarray(0, rows * dimension);
    chunk.set(store.subarray(first * dimension, (first + rows) * dimension));
    for (let row = 0; row < rows; row++) if (removed[first + row] !== 0) chunk.fill(0, row * dimension, (row + 1) * dimension);
    const bytes = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (!LITTLE_ENDIAN) swapBytes32(bytes);
    await write(bytes);
  }
}

function packBits(flags: Uint8Array, count: number): Uint8Array {
  const bits = new Uint8Array((count + 7) >>> 3);
  for (let label = 0; label < count; label++) if (flags[label] !== 0) bits[label >>> 3] |= 1 << (label & 7);
  return bits;
}

/**
 * Writes through `body` into a temporary file beside `path`, appends the CRC-32 of everything written,
 * fsyncs, renames over `path` and fsyncs the directory: readers see the old file or the whole new one.
 */
async function writeFileAtomically(path: string, body: (write: Write) => Promise<void>): Promise<void> {
  const temporary = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const handle = await open(temporary, 'wx', 0o644);
  let closed = false;
  try {
    let checksum = 0;
    let position = 0;
    const write: Write = async (bytes) => {
      checksum = crc32(bytes, checksum);
      await writeAll(handle, bytes, position);
      position += bytes.length;
    };
    await body(write);
    const trailer = Buffer.alloc(4);
    trailer.writeUInt32LE(checksum >>> 0, 0);
    await writeAll(handle, trailer, position);
    await handle.sync();
    closed = true;
    await handle.close();
    await rename(temporary, path);
  } catch (error) {
    if (!closed) await handle.close().catch(() => undefined);
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
  await syncDirectory(dirname(path));
}

async function writeAll(handle: FileHandle, bytes: Uint8Array, position: number): Promise<void> {
  let done = 0;
  while (done < bytes.length) {
    const { bytesWritten } = await handle.write(bytes, done, bytes.length - done, position + done);
    done += bytesWritten;
  }
}

/** Makes a rename durable; platforms that cannot open a directory (Windows) skip it. */
async function syncDirectory(directory: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(directory, 'r');
    await handle.sync();
  } catch {
    // Not supported here; the rename itself is still atomic.
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

async function readIndexFile(path: string, settings: BackendSettings): Promise<ExactBackend> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    const header = Buffer.alloc(Math.min(size, HEADER_BYTES));
    await readAll(path, handle, header, 0);
    checkMagic(path, header);
    if (size < 12) throw new IndexFileError('SAGE_DB_CORRUPT', path, `is truncated (${size} bytes)`);
    const version = header.readUInt32LE(8);
    if (version !== FORMAT_VERSION) {
      throw new IndexFileError('SAGE_DB_VERSION', path, `has index format version ${version}; this release reads version ${FORMAT_VERSION}`);
    }
    if (size < HEADER_BYTES + 4) throw new IndexFileError('SAGE_DB_CORRUPT', path, `is truncated (${size} bytes)`);
    const dimension = header.readUInt32LE(12);
    const labelCount = header.readUInt32LE(20);
    const expectedSize = HEADER_BYTES + 4 * labelCount * dimension + ((labelCount + 7) >>> 3) + 4;
    if (size !== expectedSize) {
      throw new IndexFileError(
        'SAGE_DB_CORRUPT',
        path,
        `${size < expectedSize ? 'is truncated' : 'has trailing bytes'} (${size} bytes, its header describes ${expectedSize})`,
      );
    }
    let checksum = crc32(header);
    const store = new Float32Array(labelCount * dimension);
    const storeBytes = new Uint8Array(store.buffer);
    for (let offset = 0; offset < storeBytes.length; offset += CHUNK_BYTES) {
      const chunk = storeBytes.subarray(offset, Math.min(storeBytes.length, offset + CHUNK_BYTES));
      await readAll(path, handle, chunk, HEADER_BYTES + offset);
      checksum = crc32(chunk, checksum);
    }
    const bits = new Uint8Array((labelCount + 7) >>> 3);
    await readAll(path, handle, bits, HEADER_BYTES + storeBytes.length);
    checksum = crc32(bits, checksum);
    const trailer = Buffer.alloc(4);
    await readAll(path, handle, trailer, size - 4);
    if (trailer.readUInt32LE(0) !== checksum >>> 0) throw new IndexFileError('SAGE_DB_CORRUPT', path, 'is corrupt (checksum mismatch)');
    if (!LITTLE_ENDIAN) swapBytes32(storeBytes);
    return decodeBackend(path, header, store, bits, labelCount, settings);
  } finally {
    await handle.close();
  }
}

function checkMagic(path: string, header: Buffer): void {
  const present = Math.min(header.length, MAGIC.length);
  if (header.subarray(0, present).equals(MAGIC.subarray(0, present)) && present === MAGIC.length) return;
  if (header.subarray(0, present).equals(MAGIC.subarray(0, present))) {
    throw new IndexFileError('SAGE_DB_CORRUPT', path, `is truncated (${header.length} bytes)`);
  }
  throw new IndexFileError('SAGE_DB_NOT_INDEX_FILE', path, 'is not a SageDB exact vector index file');
}

/** The header's fields, checked after the checksum passed: a mismatch here is a file for another collection. */
function decodeBackend(path: string, header: Buffer, store: Float32Array, bits: Uint8Array, labelCount: number, settings: BackendSettings): ExactBackend {
  const corrupt = (problem: string) => new IndexFileError('SAGE_DB_CORRUPT', path, problem);
  const dimension = header.readUInt32LE(12);
  const metric = METRICS[header.readUInt8(16)];
  const kind = KINDS[header.readUInt8(17)];
  const liveCount = header.readUInt32LE(24);
  if (metric === undefined || kind === undefined || dimension < 1) throw corrupt('has an invalid header');
  if (dimension !== settings.dimension) throw corrupt(`holds vectors of dimension ${dimension}, but the collection has dimension ${settings.dimension}`);
  if (metric !== settings.metric) throw corrupt(`holds vectors for metric ${metric}, but the collection uses ${settings.metric}`);
  for (let index = 0; index < PARAM_NAMES.length; index++) {
    if (!Number.isFinite(header.readDoubleLE(32 + 8 * index))) throw corrupt('has an invalid header');
  }
  const removed = new Uint8Array(labelCount);
  for (let label = 0; label < labelCount; label++) removed[label] = (bits[label >>> 3] >>> (label & 7)) & 1;
  if (labelCount % 8 !== 0 && bits[bits.length - 1] >>> labelCount % 8 !== 0) throw corrupt('has bits set past its last label');
  const backend = new ExactBackend(settings, store, removed, labelCount);
  if (backend.size !== liveCount) throw corrupt(`counts ${liveCount} live vectors in its header but ${backend.size} in its bitmap`);
  return backend;
}

async function readAll(path: string, handle: FileHandle, target: Uint8Array, position: number): Promise<void> {
  let done = 0;
  while (done < target.length) {
    const { bytesRead } = await handle.read(target, done, target.length - done, position + done);
    if (bytesRead === 0) throw new IndexFileError('SAGE_DB_CORRUPT', path, `is truncated (ends at byte ${position + done} while being read)`);
    done += bytesRead;
  }
}

function swapBytes32(bytes: Uint8Array): void {
  for (let i = 0; i + 3 < bytes.length; i += 4) {
    const a = bytes[i];
    const b = bytes[i + 1];
    bytes[i] = bytes[i + 3];
    bytes[i + 1] = bytes[i + 2];
    bytes[i + 2] = b;
    bytes[i + 3] = a;
  }
}
