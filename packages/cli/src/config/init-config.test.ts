import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadSageConfig } from '@sage/common';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDirectory, memoryIo, removeDirectory } from '../__fixtures__/memory-io.js';
import { EXIT_FAILURE, EXIT_OK } from '../exit-codes.js';
import { initConfig, SAGE_CONFIG_TEMPLATE_PATH } from './init-config.js';

describe('initConfig', () => {
  let directory: string;
  beforeEach(() => {
    directory = makeTempDirectory();
  });
  afterEach(() => removeDirectory(directory));

  it('ships a commented template that loads and gives exactly the defaults', () => {
    const text = readFileSync(SAGE_CONFIG_TEMPLATE_PATH, 'utf8');
    expect(text).toMatch(/^# /);
    // Commented-out ${VAR} references must not need the variables.
    expect(loadSageConfig(SAGE_CONFIG_TEMPLATE_PATH, { env: {} })).toEqual(loadSageConfig(undefined, { cwd: directory }));
  });

  it('writes sage.config.yaml in the working directory, which then loads', () => {
    const io = memoryIo(directory);
    expect(initConfig(io)).toBe(EXIT_OK);
    const file = join(directory, 'sage.config.yaml');
    expect(io.stdoutText()).toBe(`created ${file}\n`);
    expect(readFileSync(file, 'utf8')).toBe(readFileSync(SAGE_CONFIG_TEMPLATE_PATH, 'utf8'));
    expect(loadSageConfig(undefined, { cwd: directory, env: {} }).runtime.batchSize).toBe(1024);
  });

  it('refuses to overwrite an existing file without force, and overwrites with it', () => {
    const file = join(directory, 'sage.config.yaml');
    writeFileSync(file, 'log:\n  level: warn\n');
    const refused = memoryIo(directory);
    expect(initConfig(refused)).toBe(EXIT_FAILURE);
    expect(refused.stderrText()).toContain('already exists');
    expect(refused.stderrText()).toContain('--force');
    expect(readFileSync(file, 'utf8')).toBe('log:\n  level: warn\n');

    expect(initConfig(memoryIo(directory), { force: true })).toBe(EXIT_OK);
    expect(readFileSync(file, 'utf8')).toBe(readFileSync(SAGE_CONFIG_TEMPLATE_PATH, 'utf8'));
  });
});
