import { StorageError } from '@sage/common';
import type { Metadata } from '../types.js';

/** A write as logged before it is applied. Vectors are stored bit-exact (base64 of float32 bytes). */
export type WalOperation =
  | { op: 'upsert'; records: Array<{ id: string; vector: Float32Array; metadata: Metadata; text?: string }> }
  | { op: 'delete'; ids: string[] };

interface EncodedRecord {
  id: string;
  vector: string;
  metadata: Metadata;
  text?: string;
}

export function encodeOperation(operation: WalOperation): Uint8Array {
  const encoded =
    operation.op === 'delete'
      ? operation
      : {
          op: 'upsert',
          records: operation.records.map(
            (record): EncodedRecord => ({
              id: record.id,
              vector: Buffer.from(record.vector.buffer, record.vector.byteOffset, record.vector.byteLength).toString('base64'),
              metadata: record.metadata,
              ...(record.text === undefined ? {} : { text: record.text }),
            }),
          ),
        };
  return Buffer.from(JSON.stringify(encoded), 'utf8');
}

export function decodeOperation(payload: Uint8Array, source: string): WalOperation {
  let parsed: { op?: string; ids?: string[]; records?: EncodedRecord[] };
  try {
    parsed = JSON.parse(Buffer.from(payload).toString('utf8'));
  } catch (cause) {
    throw new StorageError(source, 'write-ahead log entry is not valid JSON', { cause });
  }
  if (parsed.op === 'delete' && Array.isArray(parsed.ids)) return { op: 'delete', ids: parsed.ids };
  if (parsed.op === 'upsert' && Array.isArray(parsed.records)) {
    return {
      op: 'upsert',
      records: parsed.records.map((record) => {
        const bytes = Buffer.from(record.vector, 'base64');
        const vector = new Float32Array(bytes.byteLength / 4);
        new Uint8Array(vector.buffer).set(bytes);
        return { id: record.id, vector, metadata: record.metadata, ...(record.text === undefined ? {} : { text: record.text }) };
      }),
    };
  }
  throw new StorageError(source, `write-ahead log entry has an unknown operation "${String(parsed.op)}"`);
}
