import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDirectory, removeDirectory } from '../__fixtures__/memory-io.js';
import { CLI_PACKAGE_ROOT } from '../package-paths.js';
import { createPnpmCheck, findPnpmPin } from './pnpm-check.js';

const WORKSPACE_ROOT = join(CLI_PACKAGE_ROOT, '../..');

describe('pnpm check', () => {
  let directory: string;
  beforeEach(() => {
    directory = makeTempDirectory();
  });
  afterEach(() => removeDirectory(directory));

  function pinnedProject(packageManager: string): string {
    writeFileSync(join(directory, 'package.json'), JSON.stringify({ name: 'root', packageManager }));
    const nested = join(directory, 'packages', 'app');
    mkdirSync(nested, { recursive: true });
    writeFileSync(join(nested, 'package.json'), JSON.stringify({ name: 'app' }));
    return nested;
  }

  it('finds the nearest packageManager pin, dropping a corepack hash', () => {
    const nested = pinnedProject('pnpm@9.1.0+sha512.abc');
    expect(findPnpmPin(nested)).toEqual({ manifest: join(directory, 'package.json'), version: '9.1.0' });
    expect(findPnpmPin(directory)).toEqual({ manifest: join(directory, 'package.json'), version: '9.1.0' });
  });

  it('finds no pin outside a project, or when another package manager is pinned', () => {
    expect(findPnpmPin(directory)).toBeUndefined();
    expect(findPnpmPin(pinnedProject('yarn@4.0.0'))).toBeUndefined();
  });

  it('is ok when the installed pnpm matches the pin', async () => {
    const check = createPnpmCheck({ readPnpmVersion: async () => '9.1.0' });
    expect(await check.run({ cwd: pinnedProject('pnpm@9.1.0'), env: {} })).toEqual({
      status: 'ok',
      detail: '9.1.0 (matches the packageManager pin)',
    });
  });

  it('warns when the installed pnpm differs from the pin, with the install command', async () => {
    const check = createPnpmCheck({ readPnpmVersion: async () => '8.15.0' });
    const result = await check.run({ cwd: pinnedProject('pnpm@9.1.0'), env: {} });
    expect(result.status).toBe('warn');
    expect(result.detail).toContain('8.15.0, but');
    expect(result.fix).toBe('npm install -g pnpm@9.1.0');
  });

  it('warns when pnpm is missing', async () => {
    const check = createPnpmCheck({ readPnpmVersion: async () => undefined });
    expect(await check.run({ cwd: directory, env: {} })).toEqual({
      status: 'warn',
      detail: 'not found',
      fix: 'npm install -g pnpm',
    });
  });

  it('is ok outside a pinned project whenever pnpm is present', async () => {
    const check = createPnpmCheck({ readPnpmVersion: async () => '10.0.0' });
    expect((await check.run({ cwd: directory, env: {} })).status).toBe('ok');
  });

  it('runs the real pnpm in this workspace, which pins it', async () => {
    const result = await createPnpmCheck().run({ cwd: WORKSPACE_ROOT, env: {} });
    expect(['ok', 'warn']).toContain(result.status);
    expect(result.detail).toMatch(/^\d+\.\d+|^not found/);
  });
});
