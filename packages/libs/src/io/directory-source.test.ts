import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ValidationError } from '@sage/common';
import { LocalEnvironment } from '@sage/kernel';
import { collect } from '@sage/kernel/testing';
import { describe, expect, it } from 'vitest';
import { type Document, documentSchema } from '../rag/contracts.js';
import { quiet, useTempDirectory } from './__fixtures__/temp-directory.js';
import { type DirectoryDocument, DirectorySource, type DirectorySourceConfig } from './directory-source.js';
import { IoError } from './io-error.js';

const directory = useTempDirectory();

/** Writes each `relativePath: content` under the test's directory and returns the directory. */
function tree(files: Record<string, string>): string {
  const root = join(directory(), 'docs');
  mkdirSync(root, { recursive: true });
  for (const [relativePath, content] of Object.entries(files)) {
    const filePath = join(root, relativePath);
    mkdirSync(dirname(filePath), { recursive: true });
    writeFileSync(filePath, content);
  }
  return root;
}

async function readDocuments(config: DirectorySourceConfig, parallelism = 1): Promise<DirectoryDocument[]> {
  const env = new LocalEnvironment('directory-source-test', quiet);
  const documents = collect(env.fromBatch(DirectorySource, config, { parallelism }));
  await env.submit({ autostop: true });
  return documents;
}

const mixed = {
  'b.txt': 'plain text\n',
  'a.md': '# Title\n\nSome *markdown*.',
  'page.html':
    '<html><head><style>p { color: red }</style><script>var secret = 1;</script></head>' +
    '<body><h1>Welcome</h1><p>Read the <a href="https://example.com">guide</a>.</p><script>track()</script></body></html>',
  'string.json': '"just a string"',
  'object.json': '{ "title": "T", "text": "from text" }',
  'content.json': '{ "content": "from content" }',
  'array.json': '[{ "text": "first" }, "second", { "content": "third" }]',
  'ignored.csv': 'a,b\n1,2\n',
  '.hidden.txt': 'hidden',
  'nested/deep/c.txt': 'nested text',
  'nested/z.md': 'zed',
};

describe('DirectorySource', () => {
  it('emits nothing for an empty directory', async () => {
    expect(await readDocuments({ directoryPath: tree({}) })).toEqual([]);
  });

  it('emits one document for a single file, with its metadata, fitting the rag Document contract', async () => {
    const root = tree({ 'only.txt': '\uFEFFhello' });
    const documents = await readDocuments({ directoryPath: root });
    expect(documents).toEqual([
      {
        id: 'only.txt',
        text: 'hello',
        metadata: { path: join(root, 'only.txt'), relativePath: 'only.txt', extension: 'txt', bytes: 8, mtime: expect.any(String) },
      },
    ]);
    expect(Number.isNaN(Date.parse(documents[0]!.metadata.mtime))).toBe(false);
    const asDocument: Document = documents[0]!;
    expect(documentSchema.parse(asDocument)).toEqual(asDocument);
  });

  it('reads a mixed tree in sorted order, converting html and json, skipping other extensions and hidden files', async () => {
    const documents = await readDocuments({ directoryPath: tree(mixed) });
    expect(documents.map((document) => [document.id, document.text])).toEqual([
      ['a.md', '# Title\n\nSome *markdown*.'],
      ['array.json#0', 'first'],
      ['array.json#1', 'second'],
      ['array.json#2', 'third'],
      ['b.txt', 'plain text\n'],
      ['content.json', 'from content'],
      ['object.json', 'from text'],
      ['page.html', 'Welcome\n\nRead the guide.'],
      ['string.json', 'just a string'],
    ]);
    expect(documents.find((document) => document.id === 'array.json#2')!.metadata).toMatchObject({
      relativePath: 'array.json',
      extension: 'json',
      index: 2,
    });
  });

  it('walks subdirectories with recursive: true, ids being relative paths with /', async () => {
    const documents = await readDocuments({ directoryPath: tree(mixed), recursive: true, extensions: ['txt', '.MD'] });
    expect(documents.map((document) => document.id)).toEqual(['a.md', 'b.txt', 'nested/deep/c.txt', 'nested/z.md']);
    expect(documents[2]!.metadata).toMatchObject({ relativePath: 'nested/deep/c.txt', extension: 'txt', bytes: 11 });
  });

  it('gives the same ids in the same order on every run, and splits files over parallel instances', async () => {
    const files = Object.fromEntries(Array.from({ length: 50 }, (_, index) => [`dir${index % 3}/file${index}.txt`, `text ${index}`]));
    const root = tree(files);
    const first = await readDocuments({ directoryPath: root, recursive: true });
    const second = await readDocuments({ directoryPath: root, recursive: true });
    expect(first.map((document) => document.id)).toEqual(Object.keys(files).sort());
    expect(second).toEqual(first);
    const parallel = await readDocuments({ directoryPath: root, recursive: true }, 3);
    expect(parallel.map((document) => document.id).sort()).toEqual(Object.keys(files).sort());
  });

  it('reads symbolic links to files but does not follow links to directories', async () => {
    const root = tree({ 'real/a.txt': 'a' });
    symlinkSync(join(root, 'real', 'a.txt'), join(root, 'link.txt'));
    symlinkSync(join(root, 'real'), join(root, 'loop'));
    const documents = await readDocuments({ directoryPath: root, recursive: true });
    expect(documents.map((document) => [document.id, document.text])).toEqual([
      ['link.txt', 'a'],
      ['real/a.txt', 'a'],
    ]);
  });

  it('fails with an IoError naming a json file that has no text', async () => {
    const root = tree({ 'bad.json': '{ "title": "no text" }' });
    const failure = readDocuments({ directoryPath: root });
    await expect(failure).rejects.toThrow(IoError);
    await expect(failure).rejects.toThrow(`DirectorySource: no text in "${join(root, 'bad.json')}": expected a string`);
    const array = tree({ 'bad.json': '["ok", 42]' });
    await expect(readDocuments({ directoryPath: array })).rejects.toThrow(`no text in element 1 of "${join(array, 'bad.json')}"`);
    const invalid = tree({ 'bad.json': '{ not json' });
    await expect(readDocuments({ directoryPath: invalid })).rejects.toThrow(`DirectorySource: invalid JSON in "${join(invalid, 'bad.json')}"`);
  });

  it('fails with an IoError naming a file that cannot be read once listed', async () => {
    const root = tree({ 'a.txt': 'a', 'gone.txt': 'soon removed' });
    const source = new DirectorySource({ directoryPath: root });
    source.ctx = { parallelism: 1, parallelIndex: 0 } as never;
    await source.open();
    rmSync(join(root, 'gone.txt'));
    expect(await source.execute()).toMatchObject({ id: 'a.txt', text: 'a' });
    const failure = source.execute();
    await expect(failure).rejects.toThrow(IoError);
    await expect(failure).rejects.toThrow(`DirectorySource: cannot read "${join(root, 'gone.txt')}": ENOENT`);
    await expect(failure).rejects.toMatchObject({ filePath: join(root, 'gone.txt') });
  });

  it('fails with an IoError naming a missing directory, or a path that is not a directory', async () => {
    const missing = join(directory(), 'missing');
    const failure = readDocuments({ directoryPath: missing });
    await expect(failure).rejects.toThrow(IoError);
    await expect(failure).rejects.toThrow(`DirectorySource: cannot read directory "${missing}": ENOENT`);
    const file = join(tree({ 'a.txt': 'a' }), 'a.txt');
    await expect(readDocuments({ directoryPath: file })).rejects.toThrow(`DirectorySource: cannot read directory "${file}": ENOTDIR`);
  });

  it('checks its config on construction', () => {
    expect(() => new DirectorySource({ directoryPath: '' })).toThrow(ValidationError);
    expect(() => new DirectorySource({ directoryPath: 'docs', extensions: [] })).toThrow(
      'DirectorySource: option "extensions" must be a non-empty array of distinct non-empty strings, got []',
    );
    expect(() => new DirectorySource({ directoryPath: 'docs', recursive: 'yes' } as never)).toThrow(
      'DirectorySource: option "recursive" must be true or false, got "yes"',
    );
    expect(() => new DirectorySource({ path: 'docs' } as never)).toThrow(
      'DirectorySource: unknown option "path" (known: directoryPath, recursive, extensions, encoding)',
    );
  });
});
