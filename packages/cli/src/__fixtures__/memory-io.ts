/** Test helpers: an in-memory CliIo and throwaway directories. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CliIo } from '../cli-io.js';
import { CLI_PACKAGE_ROOT } from '../package-paths.js';

export interface MemoryIo extends CliIo {
  stdoutText(): string;
  stderrText(): string;
}

export function memoryIo(cwd: string, env: Record<string, string | undefined> = {}): MemoryIo {
  const out: string[] = [];
  const err: string[] = [];
  return {
    cwd,
    env,
    stdout: { write: (text: string) => out.push(text) },
    stderr: { write: (text: string) => err.push(text) },
    stdoutText: () => out.join(''),
    stderrText: () => err.join(''),
  };
}

/** A fresh directory under the OS temp dir (outside the workspace: no package.json, .env or config above it). */
export function makeTempDirectory(prefix = 'sage-cli-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/**
 * A fresh directory inside packages/cli, so files in it resolve `@sage/kernel` through the workspace's
 * node_modules. Ignored by git (`.tmp-test-*`).
 */
export function makeWorkspaceTempDirectory(): string {
  return mkdtempSync(join(CLI_PACKAGE_ROOT, '.tmp-test-'));
}

export function removeDirectory(path: string): void {
  rmSync(path, { recursive: true, force: true });
}
