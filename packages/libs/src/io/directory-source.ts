import type { Dirent } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import { BatchFunction } from '@sage/kernel';
import { compile } from 'html-to-text';
import { checkConfig, optionalBoolean, optionalEncoding, optionalNameList, requiredString } from './config-validation.js';
import { describeCause, IoError } from './io-error.js';

export interface DirectorySourceConfig {
  /** The directory to read. */
  directoryPath: string;
  /** Also read the files of subdirectories, at any depth; default false. */
  recursive?: boolean;
  /** File extensions to read, without the dot, matched case-insensitively; default `txt`, `md`, `html`, `json`. */
  extensions?: string[];
  /** Default `utf8`. */
  encoding?: BufferEncoding;
}

/** A type rather than an interface, so that it fits `Record<string, unknown>` (the rag `Document` metadata). */
export type DirectoryDocumentMetadata = {
  /** Absolute path of the file. */
  path: string;
  /** Path relative to `directoryPath`, with `/` separators on every platform. */
  relativePath: string;
  /** Lower-case extension without the dot (`md`). */
  extension: string;
  /** Size of the file in bytes. */
  bytes: number;
  /** Last modification time, ISO 8601. */
  mtime: string;
  /** Position in the file's JSON array, for the documents of an array. */
  index?: number;
};

/** What `DirectorySource` emits: a `Document` of the rag contracts (`@sage/libs/rag`). */
export interface DirectoryDocument {
  id: string;
  text: string;
  metadata: DirectoryDocumentMetadata;
}

const OPTIONS = ['directoryPath', 'recursive', 'extensions', 'encoding'] as const;
const DEFAULT_EXTENSIONS = ['txt', 'md', 'html', 'json'];
const BYTE_ORDER_MARK = '\uFEFF';
const JSON_SHAPE = 'expected a string, an object with a string "text" or "content" field, or an array of those';

/** Plain text for indexing: no scripts, styles or images, links as their text, headings not upper-cased. */
const htmlToText = compile({
  wordwrap: false,
  selectors: [
    { selector: 'script', format: 'skip' },
    { selector: 'style', format: 'skip' },
    { selector: 'noscript', format: 'skip' },
    { selector: 'img', format: 'skip' },
    { selector: 'a', options: { ignoreHref: true } },
    ...['h1', 'h2', 'h3', 'h4', 'h5', 'h6'].map((selector) => ({ selector, options: { uppercase: false } })),
  ],
});

/**
 * A bounded source emitting one `Document` (`{ id, text, metadata }`) per file of a directory, in a
 * deterministic order: relative paths sorted by code unit, whatever the file system returns. The id is the
 * file's relative path (`guides/setup.md`), stable across runs and machines. Hidden entries (names starting
 * with `.`) are skipped; symbolic links to files are read, links to directories are not followed (no cycles).
 *
 * What the text is, by extension:
 * - `html`/`htm`: converted to plain text by `html-to-text`, without scripts, styles and images;
 * - `json`: a string value is the text; an object's `text` field (else its `content` field) is the text; an
 *   array of such strings and objects gives one document per element, with id `relativePath#index` and
 *   `metadata.index`. Any other shape, or invalid JSON, fails with an `IoError` naming the file;
 * - anything else (`txt`, `md`, or an extension you add): the file's text as it is, less a byte order mark.
 *
 * A file or directory that cannot be read fails the job with an `IoError` naming its path. With parallelism
 * p, instance i reads files i+1, i+1+p, … of the sorted list, so every file is read once.
 */
export class DirectorySource extends BatchFunction<DirectoryDocument, DirectorySourceConfig> {
  private readonly directoryPath: string;
  private readonly recursive: boolean;
  private readonly extensions: ReadonlySet<string>;
  private readonly encoding: BufferEncoding;
  /** Relative paths of this instance's files, sorted. */
  private files: string[] = [];
  private nextFile = 0;
  /** Documents of the current file not yet emitted (JSON arrays). */
  private pending: DirectoryDocument[] = [];
  /** The file read in flight, which `close()` aborts and waits for. */
  private reading: Promise<unknown> | undefined;
  private readonly closing = new AbortController();

  constructor(config?: DirectorySourceConfig) {
    super(config);
    const checked = checkConfig('DirectorySource', config, OPTIONS);
    this.directoryPath = resolve(requiredString('DirectorySource', checked, 'directoryPath'));
    this.recursive = optionalBoolean('DirectorySource', checked, 'recursive', false);
    const extensions = optionalNameList('DirectorySource', checked, 'extensions') ?? DEFAULT_EXTENSIONS;
    this.extensions = new Set(extensions.map((extension) => extension.replace(/^\./, '').toLowerCase()));
    this.encoding = optionalEncoding('DirectorySource', checked, 'encoding');
  }

  override async open(): Promise<void> {
    const { parallelism, parallelIndex } = this.ctx;
    const files = await this.listFiles('');
    this.files = files.sort().filter((_, index) => index % parallelism === parallelIndex);
  }

  async execute(): Promise<DirectoryDocument | undefined> {
    while (this.pending.length === 0) {
      const relativePath = this.files[this.nextFile++];
      if (relativePath === undefined) return undefined;
      const reading = this.readDocuments(relativePath);
      this.reading = reading;
      this.pending = await reading;
    }
    return this.pending.shift();
  }

  /**
   * A job that stops or fails while a file is read leaves that `execute()` behind: the read is aborted and
   * awaited here, so no file is still open when the job's result resolves.
   */
  override async close(): Promise<void> {
    this.closing.abort();
    await this.reading?.catch(() => {});
  }

  /** Relative paths (with `/`) of the matching files under `relativeDirectory`, in no particular order. */
  private async listFiles(relativeDirectory: string): Promise<string[]> {
    const directory = join(this.directoryPath, relativeDirectory);
    let entries: Dirent[];
    try {
      entries = await readdir(directory, { withFileTypes: true });
    } catch (cause) {
      throw new IoError(`DirectorySource: cannot read directory "${directory}": ${describeCause(cause)}`, directory, { cause });
    }
    const files: string[] = [];
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const relativePath = relativeDirectory === '' ? entry.name : `${relativeDirectory}/${entry.name}`;
      if (entry.isDirectory()) {
        if (this.recursive) files.push(...(await this.listFiles(relativePath)));
      } else if (this.extensions.has(extensionOf(entry.name))) {
        if (entry.isFile() || (entry.isSymbolicLink() && (await isLinkToFile(join(directory, entry.name))))) files.push(relativePath);
      }
    }
    return files;
  }

  private async readDocuments(relativePath: string): Promise<DirectoryDocument[]> {
    const path = join(this.directoryPath, relativePath);
    let content: string;
    let metadata: DirectoryDocumentMetadata;
    try {
      const stats = await stat(path);
      content = await readFile(path, { encoding: this.encoding, signal: this.closing.signal });
      metadata = { path, relativePath, extension: extensionOf(path), bytes: stats.size, mtime: stats.mtime.toISOString() };
    } catch (cause) {
      throw new IoError(`DirectorySource: cannot read "${path}": ${describeCause(cause)}`, path, { cause });
    }
    if (content.startsWith(BYTE_ORDER_MARK)) content = content.slice(1);
    switch (metadata.extension) {
      case 'html':
      case 'htm':
        return [{ id: relativePath, text: htmlToText(content), metadata }];
      case 'json':
        return jsonDocuments(content, metadata);
      default:
        return [{ id: relativePath, text: content, metadata }];
    }
  }
}

function extensionOf(name: string): string {
  return extname(name).slice(1).toLowerCase();
}

async function isLinkToFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false; // A dangling link is not a file to read.
  }
}

function jsonDocuments(content: string, metadata: DirectoryDocumentMetadata): DirectoryDocument[] {
  const { path, relativePath } = metadata;
  let value: unknown;
  try {
    value = JSON.parse(content);
  } catch (cause) {
    throw new IoError(`DirectorySource: invalid JSON in "${path}": ${describeCause(cause)}`, path, { cause });
  }
  if (!Array.isArray(value)) {
    const text = textOf(value);
    if (text === undefined) throw new IoError(`DirectorySource: no text in "${path}": ${JSON_SHAPE}`, path);
    return [{ id: relativePath, text, metadata }];
  }
  return value.map((element, index) => {
    const text = textOf(element);
    if (text === undefined) throw new IoError(`DirectorySource: no text in element ${index} of "${path}": ${JSON_SHAPE}`, path);
    return { id: `${relativePath}#${index}`, text, metadata: { ...metadata, index } };
  });
}

function textOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value === null || typeof value !== 'object') return undefined;
  const { text, content } = value as { text?: unknown; content?: unknown };
  if (typeof text === 'string') return text;
  if (typeof content === 'string') return content;
  return undefined;
}
