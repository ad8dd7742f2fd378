import { StorageError } from '@sage/common';
import { appendFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { temporaryDirectory } from './__fixtures__/vectors.js';
import { SageDB } from './sage-db.js';

const collectionPath = (root: string) => join(root, 'collections', 'docs');
const fileMatching = (root: string, pattern: RegExp) => readdirSync(collectionPath(root)).find((file) => pattern.test(file))!;

function flipByte(path: string, offset: number): void {
  const bytes = readFileSync(path);
  bytes[offset] = bytes[offset]! ^ 0xff;
  writeFileSync(path, bytes);
}

describe.each(['faiss', 'exact'] as const)('SageDB persistence (%s backend)', (backend) => {
  let directory: ReturnType<typeof temporaryDirectory>;
  beforeEach(() => {
    directory = temporaryDirectory();
  });
  afterEach(() => directory.remove());

  async function seed(close: boolean): Promise<void> {
    const db = await SageDB.open(directory.path, { backend });
    const docs = await db.createCollection('docs', { dimension: 2, metric: 'l2', index: 'hnsw' });
    await docs.upsert([
      { id: 'a', vector: [0, 0], metadata: { n: 1 }, text: 'first record' },
      { id: 'b', vector: [1, 1], metadata: { n: 2 } },
    ]);
    await docs.upsert([{ id: 'c', vector: [2, 2] }]);
    await docs.delete(['b']);
    if (close) await db.close();
  }

  async function reopen() {
    const db = await SageDB.open(directory.path, { backend });
    return { db, docs: await db.collection('docs') };
  }

  it('reopens with every record after close (snapshot) and without close (log replay)', async () => {
    for (const close of [true, false]) {
      directory.remove();
      directory = temporaryDirectory();
      await seed(close);
      const { db, docs } = await reopen();
      expect(docs.count).toBe(2);
      expect(docs.get('a')).toMatchObject({ metadata: { n: 1 }, text: 'first record' });
      expect(docs.get('b')).toBeUndefined();
      expect((await docs.search([2, 2], { k: 1 }))[0]!.id).toBe('c');
      expect((await docs.keywordSearch('first'))[0]!.id).toBe('a');
      await db.close();
    }
  });

  it('checkpoint folds the log into a new generation and removes the old files', async () => {
    await seed(false);
    const { db, docs } = await reopen();
    await docs.checkpoint();
    const files = readdirSync(collectionPath(directory.path)).sort();
    expect(files).toEqual(['manifest.json', 'records-1.json', 'vectors-1.bin', 'wal-1.log']);
    expect(readFileSync(join(collectionPath(directory.path), 'wal-1.log')).length).toBe(0);
    await docs.upsert([{ id: 'd', vector: [3, 3] }]);
    await db.close();
    const again = await reopen();
    expect(again.docs.count).toBe(3);
    await again.db.close();
  });

  it('drops a torn write at the end of the log (never acknowledged) and keeps the rest', async () => {
    await seed(false);
    appendFileSync(join(collectionPath(directory.path), fileMatching(directory.path, /^wal-/)), Buffer.from([200, 0, 0, 0, 1, 2, 3]));
    const { db, docs } = await reopen();
    expect(docs.count).toBe(2);
    await docs.upsert([{ id: 'e', vector: [4, 4] }]);
    await db.close();
    const again = await reopen();
    expect(again.docs.count).toBe(3);
    await again.db.close();
  });

  it('refuses a log corrupted in the middle, naming the file', async () => {
    await seed(false);
    const wal = join(collectionPath(directory.path), fileMatching(directory.path, /^wal-/));
    flipByte(wal, 12);
    await expect(reopen()).rejects.toBeInstanceOf(StorageError);
    await expect(reopen()).rejects.toThrow(/wal-0\.log: write-ahead log entry at byte 0 is corrupt/);
  });

  it('refuses corrupt snapshot, vector and manifest files with a clear error and leaves them as they were', async () => {
    await seed(true);
    const records = join(collectionPath(directory.path), fileMatching(directory.path, /^records-/));
    const original = readFileSync(records);
    flipByte(records, 1);
    await expect(reopen()).rejects.toThrow(/records-1\.json: records snapshot is corrupt/);
    writeFileSync(records, original);

    const vectors = join(collectionPath(directory.path), fileMatching(directory.path, /^vectors-/));
    const vectorBytes = readFileSync(vectors);
    flipByte(vectors, vectorBytes.length - 9);
    await expect(reopen()).rejects.toBeInstanceOf(StorageError);
    await expect(reopen()).rejects.toThrow(/vectors-1\.bin/);
    expect(readFileSync(vectors).length).toBe(vectorBytes.length);
    writeFileSync(vectors, vectorBytes);

    writeFileSync(vectors, 'not a vector file at all');
    await expect(reopen()).rejects.toThrow(/vectors-1\.bin/);
    writeFileSync(vectors, vectorBytes);

    writeFileSync(join(collectionPath(directory.path), 'manifest.json'), '{"format": "sage-db-collection", "version": 99}');
    await expect(reopen()).rejects.toThrow(/format version 99 is not supported/);
  });
});
