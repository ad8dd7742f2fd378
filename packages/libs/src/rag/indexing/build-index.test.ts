import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SageDB } from '@sage/middleware';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildIndex, countChunks, ensureIndex } from './build-index.js';

describe('buildIndex', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'sage-build-index-'));
    const docs = join(root, 'docs');
    mkdirSync(join(docs, 'nested'), { recursive: true });
    writeFileSync(join(docs, 'a.md'), `# Alpha\n\n${'Alpha particles are helium nuclei. '.repeat(40)}`);
    writeFileSync(join(docs, 'b.txt'), 'Beta decay turns a neutron into a proton.');
    writeFileSync(join(docs, 'nested', 'c.html'), '<html><script>ignored()</script><p>Gamma rays are photons.</p></html>');
    writeFileSync(join(docs, 'skip.csv'), 'not,indexed');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('chunks, embeds and stores every document, and re-running replaces rather than duplicates', async () => {
    const dbPath = join(root, 'kb');
    const progress: number[] = [];
    const options = {
      directory: join(root, 'docs'),
      collection: 'physics',
      dbPath,
      embedder: 'hashing-128',
      chunking: { splitter: 'recursive' as const, chunkSize: 300, chunkOverlap: 0 },
      batchSize: 2,
      onProgress: (chunks: number) => progress.push(chunks),
    };
    const planned = await countChunks(options);
    const first = await buildIndex(options);
    expect(planned).toEqual({ documents: first.documents, chunks: first.chunks });
    expect(first.documents).toBe(3);
    expect(first.chunks).toBeGreaterThan(3); // a.md is ~1,400 characters: several chunks
    expect(progress.at(-1)).toBe(first.chunks);
    const again = await buildIndex({ ...options, onProgress: undefined });
    expect(again.chunks).toBe(first.chunks);

    const db = await SageDB.open(dbPath);
    const collection = await db.collection('physics');
    expect(collection.count).toBe(first.chunks);
    const sources = new Set(collection.ids().map((id) => collection.get(id)!.metadata.sourceId));
    expect([...sources].sort()).toEqual(['a.md', 'b.txt', 'nested/c.html']);
    const gamma = collection.ids().map((id) => collection.get(id)!).find((record) => record.metadata.sourceId === 'nested/c.html');
    expect(gamma?.text).toContain('Gamma rays are photons.');
    expect(gamma?.text).not.toContain('ignored');
    await db.close();
  });

  it('ensureIndex builds a missing collection once, with a summary on the progress stream', async () => {
    const dbPath = join(root, 'kb');
    const out: string[] = [];
    const progress = { write: (text: string) => out.push(text) };
    const options = { directory: join(root, 'docs'), collection: 'once', dbPath, embedder: 'hashing-32', progress };
    const first = await ensureIndex(options);
    expect(first.built).toBe(true);
    expect(out.join('')).toMatch(new RegExp(`^indexed 3 documents as ${first.chunks} chunks in [\\d.]+ s\\n$`));
    const second = await ensureIndex(options);
    expect(second).toEqual({ built: false, chunks: first.chunks });
    expect(out).toHaveLength(1);
  });
});
