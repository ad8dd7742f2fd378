/**
 * The built `sage` binary, spawned as users run it. Builds the package first (tsc), so it also checks that the
 * build output runs; @sage/kernel and @sage/common must be built (`pnpm turbo run build --filter @sage/cli...`).
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDirectory, makeWorkspaceTempDirectory, removeDirectory } from './__fixtures__/memory-io.js';
import { CLI_PACKAGE_ROOT } from './package-paths.js';

const BIN = join(CLI_PACKAGE_ROOT, 'dist', 'bin.js');
const VERSION = (JSON.parse(readFileSync(join(CLI_PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

function sage(args: string[], cwd: string, env: Record<string, string | undefined> = {}) {
  return spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    encoding: 'utf8',
    timeout: 30_000,
    env: { ...process.env, SAGE_LOG_LEVEL: undefined, ...env },
  });
}

describe('sage binary (spawned)', () => {
  let directory: string;

  beforeAll(() => {
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: CLI_PACKAGE_ROOT, stdio: 'pipe' });
    // Inside packages/cli, so `@sage/kernel` resolves through the workspace's node_modules.
    directory = makeWorkspaceTempDirectory();
  }, 120_000);
  afterAll(() => removeDirectory(directory));

  it('starts with a shebang', () => {
    expect(readFileSync(BIN, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
  });

  it('prints the version from package.json', () => {
    const result = sage(['--version'], directory);
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(`${VERSION}\n`);
  });

  it('runs a TypeScript pipeline that prints records, passing args and the log level', () => {
    writeFileSync(
      join(directory, 'squares.ts'),
      [
        "import { type JobResult, LocalEnvironment } from '@sage/kernel';",
        '',
        'const count: number = Number(process.argv[2] ?? 3);',
        "const env = new LocalEnvironment('squares');",
        'env',
        '  .fromBatch(Array.from({ length: count }, (_, index) => index))',
        '  .map((value: number) => ({ value, square: value * value }))',
        "  .print('record');",
        'const result: JobResult = await env.submit({ autostop: true });',
        "console.log('status', result.status, 'level', process.env.SAGE_LOG_LEVEL, 'args', ...process.argv.slice(2));",
        '',
      ].join('\n'),
    );
    const result = sage(['run', 'squares.ts', '--log-level', 'warn', '--', '4', '--extra'], directory);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(
      [
        'record {"value":0,"square":0}',
        'record {"value":1,"square":1}',
        'record {"value":2,"square":4}',
        'record {"value":3,"square":9}',
        'status finished level warn args 4 --extra',
        '',
      ].join('\n'),
    );
  });

  it('exits 1 with the error code and message when an operator throws', () => {
    writeFileSync(
      join(directory, 'explodes.ts'),
      [
        "import { LocalEnvironment } from '@sage/kernel';",
        '',
        "const env = new LocalEnvironment('explodes');",
        'env',
        '  .fromBatch([1, 2, 3])',
        "  .map((value: number) => { if (value === 2) throw new Error('two is not allowed'); return value; }, { name: 'guard' })",
        '  .sink(() => {});',
        'await env.submit({ autostop: true });',
        '',
      ].join('\n'),
    );
    const result = sage(['run', 'explodes.ts'], directory);
    expect(result.status).toBe(1);
    expect(result.stderr).toBe('error SAGE_OPERATOR: operator "guard" failed on record 2: two is not allowed\n');
  });

  it('explains top-level await in a file compiled as CommonJS', () => {
    const commonJsProject = join(directory, 'commonjs-project');
    mkdirSync(commonJsProject);
    writeFileSync(join(commonJsProject, 'package.json'), '{}\n');
    writeFileSync(join(commonJsProject, 'pipeline.ts'), 'await Promise.resolve();\n');
    const result = sage(['run', 'pipeline.ts'], commonJsProject);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('hint: the file is compiled as CommonJS');
  });

  it('says to install @sage/kernel when a pipeline outside the workspace cannot find it', () => {
    const outside = makeTempDirectory();
    try {
      writeFileSync(join(outside, 'pipeline.mjs'), "import { LocalEnvironment } from '@sage/kernel';\n");
      const result = sage(['run', 'pipeline.mjs'], outside);
      expect(result.status).toBe(1);
      expect(result.stderr).toContain("Cannot find package '@sage/kernel'");
      expect(result.stderr).toContain('hint: install @sage/kernel in the project that holds the pipeline file');
    } finally {
      removeDirectory(outside);
    }
  });

  it('exits quietly when the reader closes stdout early (sage run … | head)', async () => {
    writeFileSync(
      join(directory, 'endless.ts'),
      [
        "import { LocalEnvironment } from '@sage/kernel';",
        '',
        "const env = new LocalEnvironment('endless');",
        "env.fromBatch(Array.from({ length: 200_000 }, (_, index) => index)).print('line');",
        'await env.submit({ autostop: true });',
        '',
      ].join('\n'),
    );
    const child = spawn(process.execPath, [BIN, 'run', 'endless.ts'], { cwd: directory });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });

  it('exits 2 naming the path when the pipeline file is missing', () => {
    const result = sage(['run', 'missing.ts'], directory);
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(`sage run: pipeline file not found: ${join(directory, 'missing.ts')}\n`);
  });
});
