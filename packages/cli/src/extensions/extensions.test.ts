import { describe, expect, it } from 'vitest';
import { runCli } from '../cli.js';
import { EXIT_OK, EXIT_USAGE } from '../exit-codes.js';
import { memoryIo } from '../__fixtures__/memory-io.js';

describe('sage extensions', () => {
  it('status reports the built sage_db and sage_flow addons', async () => {
    const io = memoryIo(process.cwd(), { PATH: process.env.PATH });
    expect(await runCli(['extensions', 'status'], io)).toBe(EXIT_OK);
    const lines = io.stdoutText().trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ok {4}sage_db {2}built and loadable \(.*\.node\)$/);
    expect(lines[1]).toMatch(/^ok {4}sage_flow {2}built and loadable \(.*sage_flow_native\.node\)$/);
  });

  it('install builds sage_db with cmake-js (incremental: already built) and checks that it loads', async () => {
    const io = memoryIo(process.cwd(), { PATH: process.env.PATH, npm_config_nodedir: process.env.npm_config_nodedir });
    expect(await runCli(['extensions', 'install', 'sage_db'], io)).toBe(EXIT_OK);
    expect(io.stdoutText()).toMatch(/^ok {4}sage_db {2}built and loadable/);
    expect(io.stderrText()).toContain('building sage_db in ');
  }, 300_000);

  it('install builds sage_flow (cmake and g++ only) and checks that it loads', async () => {
    const io = memoryIo(process.cwd(), { PATH: process.env.PATH, npm_config_nodedir: process.env.npm_config_nodedir });
    expect(await runCli(['extensions', 'install', 'sage_flow'], io)).toBe(EXIT_OK);
    expect(io.stdoutText()).toMatch(/^ok {4}sage_flow {2}built and loadable \(.*sage_flow_native\.node\)/);
    expect(io.stderrText()).toContain('building sage_flow in ');
  }, 300_000);

  it('refuses an unknown extension name as a usage error', async () => {
    const io = memoryIo(process.cwd());
    expect(await runCli(['extensions', 'install', 'sage_dbx'], io)).toBe(EXIT_USAGE);
    expect(io.stderrText()).toContain('unknown extension "sage_dbx" (known: sage_db, sage_flow, all)');
  });
});
