import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';

/**
 * A fresh temporary directory per test, removed after it: call once at the top of a test file and use the
 * returned function inside tests to get the current test's directory.
 */
export function useTempDirectory(): () => string {
  let current: string | undefined;
  afterEach(() => {
    if (current !== undefined) rmSync(current, { recursive: true, force: true });
    current = undefined;
  });
  return () => {
    current ??= mkdtempSync(join(tmpdir(), 'sage-libs-io-'));
    return current;
  };
}

/** Settings for test environments: no log noise, no signal handlers. */
export const quiet = { logLevel: 'silent' as const, handleSignals: false };
