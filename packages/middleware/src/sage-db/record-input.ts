import { randomUUID } from 'node:crypto';
import { ValidationError } from '@sage/common';
import type { Metadata, RecordInput } from './types.js';

/** Records checked and converted: one contiguous float array for the backend, plus the rest per record. */
export interface PreparedBatch {
  ids: string[];
  vectors: Float32Array;
  metadata: Metadata[];
  texts: (string | undefined)[];
}

/** The column form of an upsert: parallel arrays of equal length. */
export interface ColumnBatch {
  ids?: readonly string[];
  vectors: Float32Array | readonly (readonly number[] | Float32Array)[];
  metadatas?: readonly (Metadata | undefined)[];
  texts?: readonly (string | undefined)[];
}

const MAX_ID_LENGTH = 512;

/**
 * Validates an upsert batch (records or columns) for a collection of `dimension`: every problem is a
 * `ValidationError` that names the record (index and id) and what was wrong with it.
 */
export function prepareBatch(where: string, dimension: number, input: readonly RecordInput[] | ColumnBatch): PreparedBatch {
  const records = Array.isArray(input) ? (input as readonly RecordInput[]) : columnsToRecords(where, dimension, input as ColumnBatch);
  if (records.length === 0) throw new ValidationError(`${where}: the batch is empty (give at least one record)`);
  const ids: string[] = [];
  const metadata: Metadata[] = [];
  const texts: (string | undefined)[] = [];
  const vectors = new Float32Array(records.length * dimension);
  records.forEach((record, index) => {
    if (record === null || typeof record !== 'object') throw new ValidationError(`${where}: record ${index} is not an object`);
    const id = record.id ?? randomUUID();
    if (typeof id !== 'string' || id.length === 0 || id.length > MAX_ID_LENGTH) {
      throw new ValidationError(`${where}: record ${index}: id must be a non-empty string of at most ${MAX_ID_LENGTH} characters`);
    }
    const label = `record ${index} ("${id}")`;
    writeVector(`${where}: ${label}`, dimension, record.vector, vectors, index * dimension);
    metadata.push(checkMetadata(`${where}: ${label}`, record.metadata));
    if (record.text !== undefined && typeof record.text !== 'string') {
      throw new ValidationError(`${where}: ${label}: text must be a string`);
    }
    ids.push(id);
    texts.push(record.text);
  });
  return keepLastOfEachId({ ids, vectors, metadata, texts }, dimension);
}

/** An id given twice in one batch is written once, with its last values (as two upserts in a row would). */
function keepLastOfEachId(batch: PreparedBatch, dimension: number): PreparedBatch {
  const lastIndex = new Map<string, number>();
  batch.ids.forEach((id, index) => {
    lastIndex.set(id, index);
  });
  if (lastIndex.size === batch.ids.length) return batch;
  const keep = [...lastIndex.values()].sort((a, b) => a - b);
  const vectors = new Float32Array(keep.length * dimension);
  keep.forEach((from, to) => {
    vectors.set(batch.vectors.subarray(from * dimension, (from + 1) * dimension), to * dimension);
  });
  return {
    ids: keep.map((index) => batch.ids[index]!),
    vectors,
    metadata: keep.map((index) => batch.metadata[index]!),
    texts: keep.map((index) => batch.texts[index]),
  };
}

/** Checks one query vector and returns it as a Float32Array. */
export function prepareQuery(where: string, dimension: number, vector: unknown): Float32Array {
  const out = new Float32Array(dimension);
  writeVector(where, dimension, vector, out, 0);
  return out;
}

/** Checks one vector and writes it into `out` at `offset`. */
export function writeVector(where: string, dimension: number, vector: unknown, out: Float32Array, offset: number): void {
  if (!(vector instanceof Float32Array) && !Array.isArray(vector)) {
    throw new ValidationError(`${where}: vector must be a Float32Array or an array of numbers`);
  }
  const values = vector as ArrayLike<unknown>;
  if (values.length !== dimension) {
    throw new ValidationError(`${where}: vector has dimension ${values.length}, the collection has ${dimension}`);
  }
  for (let i = 0; i < dimension; i++) {
    const value = values[i];
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new ValidationError(`${where}: vector component ${i} is ${String(value)} (must be a finite number)`);
    }
    out[offset + i] = value;
  }
}

export function checkMetadata(where: string, metadata: unknown): Metadata {
  if (metadata === undefined) return {};
  if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata)) {
    throw new ValidationError(`${where}: metadata must be an object`);
  }
  for (const [key, value] of Object.entries(metadata)) {
    const ok =
      typeof value === 'string' ||
      typeof value === 'boolean' ||
      (typeof value === 'number' && Number.isFinite(value)) ||
      (Array.isArray(value) && value.every((item) => typeof item === 'string'));
    if (!ok) {
      throw new ValidationError(
        `${where}: metadata.${key} must be a string, a finite number, a boolean or a list of strings, got ${JSON.stringify(value) ?? String(value)}`,
      );
    }
  }
  return metadata as Metadata;
}

function columnsToRecords(where: string, dimension: number, columns: ColumnBatch): RecordInput[] {
  if (columns === null || typeof columns !== 'object' || columns.vectors === undefined) {
    throw new ValidationError(`${where}: expected an array of records or { ids?, vectors, metadatas?, texts? }`);
  }
  const vectors = columns.vectors;
  const count = vectors instanceof Float32Array ? vectors.length / dimension : vectors.length;
  if (!Number.isInteger(count)) {
    throw new ValidationError(`${where}: vectors holds ${vectors.length} floats, not a multiple of the dimension ${dimension}`);
  }
  for (const [name, column] of [
    ['ids', columns.ids],
    ['metadatas', columns.metadatas],
    ['texts', columns.texts],
  ] as const) {
    if (column !== undefined && column.length !== count) {
      throw new ValidationError(`${where}: ${name} has ${column.length} entries but there are ${count} vectors`);
    }
  }
  return Array.from({ length: count }, (_, index) => ({
    id: columns.ids?.[index],
    vector: vectors instanceof Float32Array ? vectors.subarray(index * dimension, (index + 1) * dimension) : vectors[index]!,
    metadata: columns.metadatas?.[index],
    text: columns.texts?.[index],
  }));
}
