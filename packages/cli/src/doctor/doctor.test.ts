import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDirectory, memoryIo, removeDirectory } from '../__fixtures__/memory-io.js';
import { EXIT_FAILURE, EXIT_OK } from '../exit-codes.js';
import { createDefaultChecks } from './default-checks.js';
import type { DoctorCheck } from './doctor-check.js';
import { createDoctorContext, doctor } from './doctor.js';

const check = (name: string, status: 'ok' | 'warn' | 'fail'): DoctorCheck => ({
  name,
  run: async () => ({ status, detail: `${name} detail`, fix: status === 'ok' ? undefined : `fix ${name}` }),
});

describe('doctor', () => {
  let directory: string;
  beforeEach(() => {
    directory = makeTempDirectory();
  });
  afterEach(() => removeDirectory(directory));

  it('prints one line per check and exits 0 with warnings only', async () => {
    const io = memoryIo(directory);
    expect(await doctor(io, { checks: [check('a', 'ok'), check('b', 'warn')] })).toBe(EXIT_OK);
    expect(io.stdoutText()).toBe('ok    a  a detail\nwarn  b  b detail  fix: fix b\n');
  });

  it('exits 1 when a check fails', async () => {
    const io = memoryIo(directory);
    expect(await doctor(io, { checks: [check('a', 'fail'), check('b', 'ok')] })).toBe(EXIT_FAILURE);
  });

  it('prints JSON with --json', async () => {
    const io = memoryIo(directory);
    await doctor(io, { json: true, checks: [check('a', 'warn')] });
    expect(JSON.parse(io.stdoutText())).toEqual({
      ok: true,
      checks: [{ name: 'a', status: 'warn', detail: 'a detail', fix: 'fix a' }],
    });
  });

  it('gives checks the environment with .env filled in, without changing the caller env', () => {
    writeFileSync(join(directory, '.env'), 'REDIS_URL=redis://from-dotenv:6379\nSAGE_LOG_LEVEL=debug\n');
    const env = { SAGE_LOG_LEVEL: 'warn' };
    const context = createDoctorContext(memoryIo(directory, env));
    expect(context.env).toEqual({ REDIS_URL: 'redis://from-dotenv:6379', SAGE_LOG_LEVEL: 'warn' });
    expect(env).toEqual({ SAGE_LOG_LEVEL: 'warn' });
  });

  it('runs the default checks in order, each line starting with its status', async () => {
    expect(createDefaultChecks().map((entry) => entry.name)).toEqual([
      'node',
      'pnpm',
      'config',
      'sage_db',
      'sage_flow',
      'redis',
      'embeddings',
    ]);
    const io = memoryIo(directory, { REDIS_URL: 'redis://127.0.0.1:1', PATH: process.env.PATH });
    const started = Date.now();
    expect(await doctor(io)).toBe(EXIT_OK);
    expect(Date.now() - started).toBeLessThan(8000);
    const lines = io.stdoutText().trimEnd().split('\n');
    expect(lines).toHaveLength(7);
    for (const line of lines) expect(line).toMatch(/^(ok {2}|warn|fail) {2}\S+\s+\S/);
    // The workspace builds both native addons.
    expect(lines[3]).toMatch(/^ok {4}sage_db +loaded \(.*\.node\)$/);
    expect(lines[4]).toMatch(/^ok {4}sage_flow +loaded \(.*sage_flow_native\.node\)$/);
    expect(lines[5]).toMatch(/^warn {2}redis .*ECONNREFUSED.*fix: /);
  });
});
