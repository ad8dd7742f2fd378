import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeWorkspaceTempDirectory, memoryIo, removeDirectory } from '../__fixtures__/memory-io.js';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from '../exit-codes.js';
import { runCommand } from './run-command.js';
import { PipelineFileError, resolvePipelineFile } from './run-pipeline-file.js';

// In-process runs of JavaScript files; TypeScript files and the real pipeline are run by bin.test.ts (spawned).
describe('sage run (in-process)', () => {
  let directory: string;
  const originalArgv = process.argv;
  const seen = globalThis as { sageRunTest?: unknown };

  beforeAll(() => {
    directory = makeWorkspaceTempDirectory();
  });
  afterAll(() => removeDirectory(directory));
  afterEach(() => {
    process.argv = originalArgv;
    delete seen.sageRunTest;
  });

  it('resolves the file against the working directory and rejects what cannot be run', () => {
    writeFileSync(join(directory, 'notes.txt'), '');
    mkdirSync(join(directory, 'folder.ts'), { recursive: true });
    expect(() => resolvePipelineFile(directory, 'missing.ts')).toThrow(
      new PipelineFileError(`pipeline file not found: ${join(directory, 'missing.ts')}`),
    );
    expect(() => resolvePipelineFile(directory, 'folder.ts')).toThrow(/^not a file: /);
    expect(() => resolvePipelineFile(directory, 'notes.txt')).toThrow(/expected a \.ts, \.mts, \.cts, \.js, \.mjs or \.cjs file/);
  });

  it('exits 2 naming the path when the file is missing', async () => {
    const io = memoryIo(directory, {});
    expect(await runCommand(io, 'missing.mjs', [])).toBe(EXIT_USAGE);
    expect(io.stderrText()).toBe(`sage run: pipeline file not found: ${join(directory, 'missing.mjs')}\n`);
  });

  it('runs a .mjs file with the extra args as process.argv, log level and .env in the env', async () => {
    const file = join(directory, 'args.mjs');
    writeFileSync(file, 'globalThis.sageRunTest = process.argv.slice(1);\n');
    writeFileSync(join(directory, '.env'), 'FROM_DOTENV=yes\nSAGE_LOG_LEVEL=info\n');
    const env: Record<string, string | undefined> = {};
    const io = memoryIo(directory, env);
    expect(await runCommand(io, 'args.mjs', ['--n', '5'], { logLevel: 'debug' })).toBe(EXIT_OK);
    expect(seen.sageRunTest).toEqual([file, '--n', '5']);
    expect(env).toEqual({ FROM_DOTENV: 'yes', SAGE_LOG_LEVEL: 'debug' });
  });

  it('exits 2 for a SAGE_LOG_LEVEL (from the env or .env) the logger would reject', async () => {
    writeFileSync(join(directory, 'quiet.mjs'), 'export {};\n');
    writeFileSync(join(directory, '.env'), 'SAGE_LOG_LEVEL=verbose\n');
    const io = memoryIo(directory, {});
    expect(await runCommand(io, 'quiet.mjs', [])).toBe(EXIT_USAGE);
    expect(io.stderrText()).toBe(
      'sage run: SAGE_LOG_LEVEL is "verbose"; expected one of fatal, error, warn, info, debug, trace, silent\n',
    );
    // --log-level replaces it.
    expect(await runCommand(memoryIo(directory, {}), 'quiet.mjs', [], { logLevel: 'warn' })).toBe(EXIT_OK);
  });

  it('treats an empty SAGE_LOG_LEVEL as unset', async () => {
    writeFileSync(join(directory, 'quiet.mjs'), 'export {};\n');
    writeFileSync(join(directory, '.env'), 'SAGE_LOG_LEVEL=\n');
    const env: Record<string, string | undefined> = {};
    expect(await runCommand(memoryIo(directory, env), 'quiet.mjs', [])).toBe(EXIT_OK);
    expect('SAGE_LOG_LEVEL' in env).toBe(false);
  });

  it('skips .env with envFile: false', async () => {
    writeFileSync(join(directory, 'noop.mjs'), 'export {};\n');
    writeFileSync(join(directory, '.env'), 'FROM_DOTENV=yes\n');
    const env: Record<string, string | undefined> = {};
    expect(await runCommand(memoryIo(directory, env), 'noop.mjs', [], { envFile: false })).toBe(EXIT_OK);
    expect(env).toEqual({});
  });

  it('exits 1 with the code and message of a SAGE error the file throws', async () => {
    writeFileSync(
      join(directory, 'throws.mjs'),
      "import { ConfigError } from '@sage/common';\nthrow new ConfigError('services.llm.model is required');\n",
    );
    const io = memoryIo(directory, {});
    expect(await runCommand(io, 'throws.mjs', [])).toBe(EXIT_FAILURE);
    expect(io.stderrText()).toBe('error SAGE_CONFIG: services.llm.model is required\n');
  });

  it('exits 1 with the stack of any other error', async () => {
    writeFileSync(join(directory, 'bug.mjs'), "throw new TypeError('not a function');\n");
    const io = memoryIo(directory, {});
    expect(await runCommand(io, 'bug.mjs', [])).toBe(EXIT_FAILURE);
    expect(io.stderrText()).toMatch(/^error: TypeError: not a function\n\s+at .*bug\.mjs/);
  });
});
