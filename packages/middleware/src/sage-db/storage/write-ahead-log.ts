import { crc32, StorageError } from '@sage/common';
import { type FileHandle, open, stat, truncate } from 'node:fs/promises';

/**
 * An append-only log of operations. Each entry is a frame `[length u32][crc32 u32][payload]` (little
 * endian); `append` resolves only after the frame is on disk (fdatasync), which is what makes a write
 * "acknowledged". On open the log is replayed: a torn frame at the very end (a write cut short by a crash,
 * never acknowledged) is cut off; a bad frame followed by more data is corruption and is refused.
 */
export class WriteAheadLog {
  private constructor(
    readonly path: string,
    private readonly handle: FileHandle,
    private bytes: number,
  ) {}

  /** Opens (creating when missing) and returns the log with the payloads of its entries, in order. */
  static async open(path: string): Promise<{ log: WriteAheadLog; entries: Uint8Array[] }> {
    const handle = await open(path, 'a+');
    try {
      const { entries, validBytes, fileBytes } = await readEntries(path, handle);
      if (validBytes < fileBytes) await truncate(path, validBytes);
      return { log: new WriteAheadLog(path, handle, validBytes), entries };
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  /** Bytes in the log. */
  get size(): number {
    return this.bytes;
  }

  /** Appends one entry and waits until it is durable. */
  async append(payload: Uint8Array): Promise<void> {
    const frame = Buffer.allocUnsafe(8 + payload.length);
    frame.writeUInt32LE(payload.length, 0);
    frame.writeUInt32LE(crc32(payload), 4);
    frame.set(payload, 8);
    await this.handle.write(frame, 0, frame.length);
    await this.handle.datasync();
    this.bytes += frame.length;
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}

async function readEntries(path: string, handle: FileHandle) {
  const fileBytes = (await stat(path)).size;
  const buffer = Buffer.alloc(fileBytes);
  if (fileBytes > 0) await handle.read(buffer, 0, fileBytes, 0);
  const entries: Uint8Array[] = [];
  let offset = 0;
  while (offset < fileBytes) {
    const end = offset + 8 + (offset + 8 <= fileBytes ? buffer.readUInt32LE(offset) : 0);
    if (offset + 8 > fileBytes || end > fileBytes) break; // torn tail: the last write never completed
    const payload = buffer.subarray(offset + 8, end);
    if (crc32(payload) !== buffer.readUInt32LE(offset + 4)) {
      if (end < fileBytes) {
        throw new StorageError(path, `write-ahead log entry at byte ${offset} is corrupt (checksum mismatch) and more entries follow`);
      }
      break; // torn tail whose length survived but whose bytes did not
    }
    entries.push(payload);
    offset = end;
  }
  return { entries, validBytes: offset, fileBytes };
}
