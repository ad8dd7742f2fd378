import { type FileHandle, open } from 'node:fs/promises';
import { describeCause, IoError } from './io-error.js';

/**
 * Opens a file for reading. A missing or unreadable file fails with an `IoError` naming it ("cannot open"),
 * and so does a directory ("cannot read … it is a directory"), which `open()` alone would accept on Linux.
 */
export async function openForReading(owner: string, filePath: string): Promise<FileHandle> {
  let handle: FileHandle;
  try {
    handle = await open(filePath, 'r');
  } catch (cause) {
    throw new IoError(`${owner}: cannot open "${filePath}": ${describeCause(cause)}`, filePath, { cause });
  }
  try {
    if ((await handle.stat()).isDirectory()) throw new Error('it is a directory');
  } catch (cause) {
    await handle.close();
    throw new IoError(`${owner}: cannot read "${filePath}": ${describeCause(cause)}`, filePath, { cause });
  }
  return handle;
}

