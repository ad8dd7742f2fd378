import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDirectory, memoryIo, removeDirectory } from '../__fixtures__/memory-io.js';
import { EXIT_FAILURE, EXIT_OK } from '../exit-codes.js';
import { CLI_TEMPLATES_DIRECTORY } from '../package-paths.js';
import { setupEnv } from './setup-env.js';

describe('setupEnv', () => {
  let directory: string;
  beforeEach(() => {
    directory = makeTempDirectory();
  });
  afterEach(() => removeDirectory(directory));

  it('creates .env from the shipped template when the project has none, readable by the owner only', () => {
    const io = memoryIo(directory);
    expect(setupEnv(io)).toBe(EXIT_OK);
    const envFile = join(directory, '.env');
    expect(readFileSync(envFile, 'utf8')).toBe(readFileSync(join(CLI_TEMPLATES_DIRECTORY, '.env.template'), 'utf8'));
    expect(io.stdoutText()).toContain(`created ${envFile}`);
    if (process.platform !== 'win32') expect(statSync(envFile).mode & 0o777).toBe(0o600);
  });

  it("uses the project's .env.template when there is one", () => {
    writeFileSync(join(directory, '.env.template'), 'PROJECT_ONLY=1\n');
    const io = memoryIo(directory);
    expect(setupEnv(io)).toBe(EXIT_OK);
    expect(readFileSync(join(directory, '.env'), 'utf8')).toBe('PROJECT_ONLY=1\n');
    expect(io.stdoutText()).toContain('from .env.template');
  });

  it('never overwrites an existing .env without force', () => {
    writeFileSync(join(directory, '.env'), 'OPENAI_API_KEY=mine\n');
    const io = memoryIo(directory);
    expect(setupEnv(io)).toBe(EXIT_FAILURE);
    expect(io.stderrText()).toContain('.env already exists');
    expect(readFileSync(join(directory, '.env'), 'utf8')).toBe('OPENAI_API_KEY=mine\n');

    expect(setupEnv(memoryIo(directory), { force: true })).toBe(EXIT_OK);
    expect(readFileSync(join(directory, '.env'), 'utf8')).toContain('SAGE_LOG_LEVEL=info');
  });
});
