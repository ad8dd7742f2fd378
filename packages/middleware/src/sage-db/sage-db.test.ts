import { StorageError, ValidationError } from '@sage/common';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { temporaryDirectory } from './__fixtures__/vectors.js';
import { SageDB } from './sage-db.js';

describe('SageDB', () => {
  let directory: ReturnType<typeof temporaryDirectory>;
  beforeEach(() => {
    directory = temporaryDirectory();
  });
  afterEach(() => directory.remove());

  it('creates the directory when missing and manages named collections', async () => {
    const path = join(directory.path, 'kb');
    const db = await SageDB.open(path, { backend: 'exact' });
    expect(await db.listCollections()).toEqual([]);
    const docs = await db.createCollection('docs', { dimension: 3 });
    await db.createCollection('faq', { dimension: 2, metric: 'l2', index: 'flat' });
    expect(await db.listCollections()).toEqual(['docs', 'faq']);
    expect(docs.info()).toMatchObject({ name: 'docs', dimension: 3, metric: 'cosine', index: 'auto', count: 0 });
    expect(await db.collection('docs')).toBe(docs);
    await expect(db.createCollection('docs', { dimension: 3 })).rejects.toThrow(/already exists/);
    await expect(db.collection('nope')).rejects.toThrow(/"nope" does not exist \(collections: docs, faq\)/);
    expect(await db.dropCollection('faq')).toBe(true);
    expect(await db.dropCollection('faq')).toBe(false);
    expect(await db.listCollections()).toEqual(['docs']);
    await db.close();
    const reopened = await SageDB.open(path, { backend: 'exact' });
    expect(await reopened.listCollections()).toEqual(['docs']);
    expect((await reopened.describeCollection('docs')).dimension).toBe(3);
    await reopened.close();
  });

  it('keeps the labels a collection was created with, across checkpoints and reopening', async () => {
    const path = join(directory.path, 'kb');
    const db = await SageDB.open(path, { backend: 'exact' });
    const labels = { embedder: 'use-lite', dimension: 3, chunked: true, sources: ['a', 'b'] };
    const docs = await db.createCollection('docs', { dimension: 3, metadata: labels });
    expect(docs.info().metadata).toEqual(labels);
    expect((await db.createCollection('plain', { dimension: 3 })).info().metadata).toEqual({});
    await docs.upsert([{ id: 'x', vector: [1, 0, 0] }]);
    await docs.checkpoint();
    await db.close();
    const reopened = await SageDB.open(path, { backend: 'exact' });
    expect((await reopened.describeCollection('docs')).metadata).toEqual(labels);
    await expect(reopened.createCollection('bad', { dimension: 3, metadata: { nested: { no: 1 } } as never })).rejects.toThrow(
      /createCollection\("bad"\): metadata/,
    );
    expect(await reopened.listCollections()).toEqual(['docs', 'plain']);
    await reopened.close();
  });

  it('refuses a path that is not a database, without touching it', async () => {
    const file = join(directory.path, 'notes.txt');
    writeFileSync(file, 'hello');
    await expect(SageDB.open(file)).rejects.toBeInstanceOf(StorageError);
    await expect(SageDB.open(file)).rejects.toThrow(/is a file, not a SageDB database directory/);
    const busy = join(directory.path, 'busy');
    mkdirSync(busy);
    writeFileSync(join(busy, 'data.csv'), '1,2');
    await expect(SageDB.open(busy)).rejects.toThrow(/is not a SageDB database \(no sagedb.json\) and is not empty/);
    const foreign = join(directory.path, 'foreign');
    mkdirSync(foreign);
    writeFileSync(join(foreign, 'sagedb.json'), '{"format":"other"}');
    await expect(SageDB.open(foreign)).rejects.toThrow(/has format other/);
  });

  it('finishes creating a database whose creation was interrupted, and still refuses a collections folder with content', async () => {
    const states: Array<[string, (dir: string) => void]> = [
      ['empty collections folder', (dir) => mkdirSync(join(dir, 'collections'))],
      ['marker being written', (dir) => writeFileSync(join(dir, 'sagedb.json.tmp'), '{"form')],
      [
        'both',
        (dir) => {
          mkdirSync(join(dir, 'collections'));
          writeFileSync(join(dir, 'sagedb.json.tmp'), '');
        },
      ],
    ];
    for (const [name, leave] of states) {
      const path = join(directory.path, name.replaceAll(' ', '-'));
      mkdirSync(path);
      leave(path);
      const db = await SageDB.open(path, { backend: 'exact' });
      await db.createCollection('docs', { dimension: 2 });
      await db.close();
      const reopened = await SageDB.open(path, { backend: 'exact' });
      expect(await reopened.listCollections()).toEqual(['docs']);
      await reopened.close();
    }
    const kept = join(directory.path, 'kept');
    mkdirSync(join(kept, 'collections', 'something'), { recursive: true });
    await expect(SageDB.open(kept)).rejects.toThrow(/is not a SageDB database \(no sagedb.json\) and is not empty/);
  });

  it('validates collection names and options with errors that name the problem', async () => {
    const db = await SageDB.open(directory.path, { backend: 'exact' });
    await expect(db.createCollection('../escape', { dimension: 3 })).rejects.toBeInstanceOf(ValidationError);
    await expect(db.createCollection('ok', { dimension: 0 })).rejects.toThrow(/dimension must be an integer from 1/);
    await expect(db.createCollection('ok', { dimension: 4, metric: 'manhattan' as never })).rejects.toThrow(
      /unknown metric "manhattan" \(known: l2, ip, cosine\)/,
    );
    await expect(db.createCollection('ok', { dimension: 4, index: 'annoy' as never })).rejects.toThrow(/unknown index "annoy"/);
    await expect(db.createCollection('ok', { dimension: 4, indexParams: { efSerch: 10 } as never })).rejects.toThrow(
      /unknown index parameter "efSerch"/,
    );
    await expect(db.createCollection('ok', { dimension: 10, index: 'ivf_pq', indexParams: { pqM: 4 } })).rejects.toThrow(
      /pqM \(4\) to divide the dimension \(10\)/,
    );
    expect(await db.listCollections()).toEqual([]);
    await db.close();
  });
});
