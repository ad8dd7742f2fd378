import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDirectory, memoryIo, removeDirectory } from './__fixtures__/memory-io.js';
import { runCli } from './cli.js';
import { CLI_PACKAGE_ROOT } from './package-paths.js';

const VERSION = (JSON.parse(readFileSync(join(CLI_PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

describe('runCli (in-process)', () => {
  let directory: string;
  beforeEach(() => {
    directory = makeTempDirectory();
  });
  afterEach(() => removeDirectory(directory));

  it('prints the package version for --version and -v', async () => {
    for (const flag of ['--version', '-v']) {
      const io = memoryIo(directory);
      expect(await runCli([flag], io)).toBe(0);
      expect(io.stdoutText()).toBe(`${VERSION}\n`);
    }
  });

  it('prints help on stdout with exit 0 for --help', async () => {
    const io = memoryIo(directory);
    expect(await runCli(['--help'], io)).toBe(0);
    expect(io.stdoutText()).toContain('Usage: sage');
    for (const command of ['run', 'doctor', 'config']) expect(io.stdoutText()).toContain(command);
  });

  it('exits 2 for usage errors, with the message on stderr', async () => {
    const cases: Array<[string[], string]> = [
      [[], 'Usage: sage'],
      [['bogus'], "unknown command 'bogus'"],
      [['doctor', '--nope'], "unknown option '--nope'"],
      [['run'], "missing required argument 'file'"],
      [['run', 'x.ts', '--log-level', 'loud'], 'Allowed choices are fatal, error, warn, info, debug, trace, silent'],
    ];
    for (const [argv, message] of cases) {
      const io = memoryIo(directory);
      expect(await runCli(argv, io)).toBe(2);
      expect(io.stderrText()).toContain(message);
    }
  });

  it('sage run exits 2 when the file does not exist', async () => {
    const io = memoryIo(directory);
    expect(await runCli(['run', 'nowhere.ts', '--', '--flag'], io)).toBe(2);
    expect(io.stderrText()).toContain(`pipeline file not found: ${join(directory, 'nowhere.ts')}`);
  });

  it('sage config init, then config show prints the template values', async () => {
    const init = memoryIo(directory);
    expect(await runCli(['config', 'init'], init)).toBe(0);
    expect(existsSync(join(directory, 'sage.config.yaml'))).toBe(true);
    expect(await runCli(['config', 'init'], memoryIo(directory))).toBe(1);
    expect(await runCli(['config', 'init', '--force'], memoryIo(directory))).toBe(0);

    const show = memoryIo(directory);
    expect(await runCli(['config', 'show'], show)).toBe(0);
    expect(show.stdoutText()).toContain('  batchSize: 1024\n');
  });

  it('sage config show --file with a bad file exits 1', async () => {
    const io = memoryIo(directory);
    expect(await runCli(['config', 'show', '--file', 'absent.yaml'], io)).toBe(1);
    expect(io.stderrText()).toContain('error SAGE_CONFIG: config file not found');
  });

  it('sage config env setup, then env show', async () => {
    expect(await runCli(['config', 'env', 'setup'], memoryIo(directory))).toBe(0);
    expect(await runCli(['config', 'env', 'setup'], memoryIo(directory))).toBe(1);
    expect(await runCli(['config', 'env', 'setup', '--force'], memoryIo(directory))).toBe(0);
    const show = memoryIo(directory, { OPENAI_API_KEY: 'sk-live-0123456789abcdef' });
    expect(await runCli(['config', 'env', 'show'], show)).toBe(0);
    expect(show.stdoutText()).toMatch(/^SAGE_LOG_LEVEL\s+set in \.env\s+info$/m);
    expect(show.stdoutText()).toMatch(/^OPENAI_API_KEY\s+set in environment\s+sk-l…\(24 chars\)$/m);
    expect(show.stdoutText()).not.toContain('0123456789abcdef');
  });

  it('sage doctor --json reports every check', async () => {
    const io = memoryIo(directory, { REDIS_URL: 'redis://127.0.0.1:1', PATH: process.env.PATH });
    expect(await runCli(['doctor', '--json'], io)).toBe(0);
    const report = JSON.parse(io.stdoutText()) as { ok: boolean; checks: Array<{ name: string; status: string }> };
    expect(report.ok).toBe(true);
    expect(report.checks.map((check) => check.name)).toEqual([
      'node',
      'pnpm',
      'config',
      'sage_db',
      'sage_flow',
      'redis',
      'embeddings',
    ]);
  });

  it('sage doctor exits 1 when a check fails (a broken config)', async () => {
    writeFileSync(join(directory, 'sage.config.yaml'), 'log:\n  level: loud\n');
    const io = memoryIo(directory, { REDIS_URL: 'redis://127.0.0.1:1', PATH: process.env.PATH });
    expect(await runCli(['doctor'], io)).toBe(1);
    expect(io.stdoutText()).toMatch(/^fail {2}config\s+\S*sage\.config\.yaml:2:10: log\.level: .*fix: /m);
  });
});
