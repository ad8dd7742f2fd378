/**
 * `sage run <file>`: evaluate a pipeline file in this process. The file builds its own environment and awaits
 * `env.submit(...)`; whatever it throws (or its job rejects with) comes back as the rejection of this call.
 * TypeScript goes through tsx's ESM loader; JavaScript is imported as is.
 */
import { existsSync, statSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { tsImport } from 'tsx/esm/api';

const TYPESCRIPT_EXTENSIONS = new Set(['.ts', '.mts', '.cts']);
const JAVASCRIPT_EXTENSIONS = new Set(['.js', '.mjs', '.cjs']);

/** The pipeline file cannot be run at all (missing, a directory, unknown extension): a usage error. */
export class PipelineFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PipelineFileError';
  }
}

/** Absolute path of `file`, checked to be an existing file with a runnable extension. */
export function resolvePipelineFile(cwd: string, file: string): string {
  const path = resolve(cwd, file);
  if (!existsSync(path)) throw new PipelineFileError(`pipeline file not found: ${path}`);
  if (!statSync(path).isFile()) throw new PipelineFileError(`not a file: ${path}`);
  const extension = extname(path).toLowerCase();
  if (!TYPESCRIPT_EXTENSIONS.has(extension) && !JAVASCRIPT_EXTENSIONS.has(extension)) {
    throw new PipelineFileError(`cannot run ${path}: expected a .ts, .mts, .cts, .js, .mjs or .cjs file`);
  }
  return path;
}

/**
 * Runs the file with `process.argv` set to `[node, file, ...args]`, as if started with `node file args…`. The
 * argv is left in place afterwards: a job the file left running may still read it.
 */
export async function runPipelineFile(path: string, args: readonly string[]): Promise<void> {
  process.argv = [process.argv[0], path, ...args];
  const url = pathToFileURL(path).href;
  if (TYPESCRIPT_EXTENSIONS.has(extname(path).toLowerCase())) {
    await tsImport(url, { parentURL: import.meta.url });
  } else {
    await import(url);
  }
}
