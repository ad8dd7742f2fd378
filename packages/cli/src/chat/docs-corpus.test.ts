import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDirectory, removeDirectory } from '../__fixtures__/memory-io.js';
import { CLI_PACKAGE_ROOT } from '../package-paths.js';
import { corpusFingerprint, findDocsCorpus } from './docs-corpus.js';

function write(path: string, text = '# Title\n\nSome text.\n'): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

describe('findDocsCorpus', () => {
  let base: string;
  beforeEach(() => {
    base = makeTempDirectory('sage-corpus-');
  });
  afterEach(() => removeDirectory(base));

  it('reads README.md and docs/**/*.md of the repository the package sits in', () => {
    write(join(base, 'README.md'));
    write(join(base, 'docs', 'rag.md'));
    write(join(base, 'docs', 'decisions', '0001-first.md'));
    write(join(base, 'docs', 'diagram.svg'), '<svg/>');
    write(join(base, 'docs', '.hidden.md'));
    write(join(base, 'CONTRIBUTING.md'));
    mkdirSync(join(base, 'packages', 'cli'), { recursive: true });
    expect(findDocsCorpus({ packageRoot: join(base, 'packages', 'cli') })).toEqual({
      root: base,
      files: ['README.md', 'docs/decisions/0001-first.md', 'docs/rag.md'],
      origin: 'repository',
    });
  });

  it('falls back to the copy shipped in docs-corpus/ of an installed package', () => {
    const packageRoot = join(base, 'node_modules', '@sage', 'cli');
    write(join(packageRoot, 'docs-corpus', 'README.md'));
    write(join(packageRoot, 'docs-corpus', 'docs', 'cli.md'));
    expect(findDocsCorpus({ packageRoot })).toEqual({
      root: join(packageRoot, 'docs-corpus'),
      files: ['README.md', 'docs/cli.md'],
      origin: 'package',
    });
  });

  it('prefers the repository to a stale docs-corpus/ copy', () => {
    write(join(base, 'README.md'));
    write(join(base, 'docs', 'rag.md'));
    write(join(base, 'packages', 'cli', 'docs-corpus', 'README.md'));
    expect(findDocsCorpus({ packageRoot: join(base, 'packages', 'cli') })?.origin).toBe('repository');
  });

  it('is undefined when neither exists', () => {
    const packageRoot = join(base, 'node_modules', '@sage', 'cli');
    mkdirSync(packageRoot, { recursive: true });
    expect(findDocsCorpus({ packageRoot })).toBeUndefined();
  });

  it('takes every Markdown file of an explicit directory, resolved against cwd', () => {
    write(join(base, 'notes', 'a.md'));
    write(join(base, 'notes', 'deep', 'b.MD'));
    write(join(base, 'notes', 'c.txt'));
    expect(findDocsCorpus({ docs: 'notes', cwd: base })).toEqual({ root: join(base, 'notes'), files: ['a.md', 'deep/b.MD'], origin: 'option' });
    expect(findDocsCorpus({ docs: 'missing', cwd: base })).toBeUndefined();
  });

  it('finds the copy made by scripts/copy-docs-corpus.mjs (the prepack step)', () => {
    const repository = join(base, 'repo');
    write(join(repository, 'README.md'));
    write(join(repository, 'docs', 'rag.md'));
    write(join(repository, 'docs', 'decisions', '0001-first.md'));
    write(join(repository, 'docs', 'diagram.svg'), '<svg/>');
    const packageRoot = join(base, 'node_modules', '@sage', 'cli');
    write(join(packageRoot, 'docs-corpus', 'stale.md'));
    execFileSync(process.execPath, [join(CLI_PACKAGE_ROOT, 'scripts', 'copy-docs-corpus.mjs'), repository, join(packageRoot, 'docs-corpus')], { stdio: 'pipe' });
    expect(findDocsCorpus({ packageRoot })).toEqual({
      root: join(packageRoot, 'docs-corpus'),
      files: ['README.md', 'docs/decisions/0001-first.md', 'docs/rag.md'],
      origin: 'package',
    });
  });

  it('finds the real docs from the sources of @sage/cli', () => {
    const corpus = findDocsCorpus();
    expect(corpus?.origin).toBe('repository');
    expect(corpus?.files).toContain('README.md');
    expect(corpus?.files).toContain('docs/rag.md');
    expect(corpus?.files).toContain('docs/cli.md');
  });
});

describe('corpusFingerprint', () => {
  it('changes with a file content or name, not otherwise', () => {
    const base = makeTempDirectory('sage-corpus-');
    try {
      write(join(base, 'a.md'), 'alpha');
      write(join(base, 'b.md'), 'beta');
      const corpus = findDocsCorpus({ docs: base })!;
      const first = corpusFingerprint(corpus);
      expect(corpusFingerprint(corpus)).toBe(first);
      write(join(base, 'b.md'), 'beta!');
      const second = corpusFingerprint(corpus);
      expect(second).not.toBe(first);
      write(join(base, 'c.md'), '');
      expect(corpusFingerprint(findDocsCorpus({ docs: base })!)).not.toBe(second);
    } finally {
      removeDirectory(base);
    }
  });
});
