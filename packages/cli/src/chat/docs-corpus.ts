/**
 * The documents `sage chat` answers from: the project's README.md and docs/**\/*.md. Inside the SAGE-TS
 * repository they are read where they are; an installed @sage/cli carries a copy in `docs-corpus/` (made
 * by `scripts/copy-docs-corpus.mjs` before packing).
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CLI_PACKAGE_ROOT } from '../package-paths.js';

/** Where the documents were found. */
export type CorpusOrigin = 'option' | 'repository' | 'package';

export interface DocsCorpus {
  /** Directory the file paths are relative to. */
  root: string;
  /** Relative paths with `/`, sorted: `README.md`, `docs/cli.md`, … */
  files: string[];
  origin: CorpusOrigin;
}

export interface FindDocsCorpusOptions {
  /** A directory of Markdown files to use instead (the hidden `--docs` option, for tests). */
  docs?: string;
  /** Directory `docs` is resolved against. */
  cwd?: string;
  /** The @sage/cli package directory; default the one this module belongs to. */
  packageRoot?: string;
}

/** The copy shipped with the package, relative to its root. */
export const PACKAGED_CORPUS_DIRECTORY = 'docs-corpus';

/**
 * The corpus, looked for in order: the `docs` directory when given (every `.md` in it); the repository
 * the package sits in (`<package>/../..` holding README.md and docs/); the copy shipped in
 * `<package>/docs-corpus/`. Undefined when none holds a Markdown file.
 */
export function findDocsCorpus(options: FindDocsCorpusOptions = {}): DocsCorpus | undefined {
  if (options.docs !== undefined) {
    const root = resolve(options.cwd ?? process.cwd(), options.docs);
    const files = isDirectory(root) ? markdownFiles(root, '') : [];
    return files.length === 0 ? undefined : { root, files, origin: 'option' };
  }
  const packageRoot = options.packageRoot ?? CLI_PACKAGE_ROOT;
  const repository = resolve(packageRoot, '..', '..');
  if (existsSync(join(repository, 'README.md')) && isDirectory(join(repository, 'docs'))) {
    const files = ['README.md', ...markdownFiles(repository, 'docs')].sort();
    return { root: repository, files, origin: 'repository' };
  }
  const packaged = join(packageRoot, PACKAGED_CORPUS_DIRECTORY);
  const files = isDirectory(packaged) ? markdownFiles(packaged, '') : [];
  return files.length === 0 ? undefined : { root: packaged, files, origin: 'package' };
}

/**
 * A hash of the corpus (relative paths and contents) and of how it is chunked: the index is rebuilt when
 * it changes.
 */
export function corpusFingerprint(corpus: DocsCorpus, salt = ''): string {
  const hash = createHash('sha256').update(`sage-chat-corpus/1\0${salt}\0`);
  for (const file of corpus.files) {
    const content = readFileSync(join(corpus.root, file));
    hash.update(`${file}\0${content.length}\0`).update(content).update('\0');
  }
  return hash.digest('hex');
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** `.md` files under `root/relative` (hidden entries skipped), as sorted paths relative to `root`. */
function markdownFiles(root: string, relative: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(join(root, relative), { withFileTypes: true })) {
    if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
    const path = relative === '' ? entry.name : `${relative}/${entry.name}`;
    if (entry.isDirectory()) files.push(...markdownFiles(root, path));
    else if (entry.isFile() && entry.name.toLowerCase().endsWith('.md')) files.push(path);
  }
  return files.sort();
}
