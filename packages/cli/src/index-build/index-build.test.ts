import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SageDB } from '@sage/middleware';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDirectory, memoryIo } from '../__fixtures__/memory-io.js';
import { runCli } from '../cli.js';
import { EXIT_OK, EXIT_USAGE } from '../exit-codes.js';

describe('sage index build', () => {
  let cwd: string;
  beforeEach(() => {
    cwd = makeTempDirectory();
    mkdirSync(join(cwd, 'docs'));
    writeFileSync(join(cwd, 'docs', 'one.md'), `# One\n\n${'The first document talks about rivers. '.repeat(30)}`);
    writeFileSync(join(cwd, 'docs', 'two.txt'), 'The second document talks about mountains.');
  });
  afterEach(() => rmSync(cwd, { recursive: true, force: true }));

  it('indexes a directory into a collection and prints a summary', async () => {
    const io = memoryIo(cwd);
    const code = await runCli(['index', 'build', 'docs', '--collection', 'notes', '--db', 'kb', '--embedder', 'hashing-64', '--chunk-size', '200', '--chunk-overlap', '0'], io);
    expect(io.stderrText()).toMatch(/^indexed 2 documents as \d+ chunks in [\d.]+ s\n$/);
    expect(code).toBe(EXIT_OK);
    const chunks = Number(/as (\d+) chunks/.exec(io.stderrText())![1]);
    expect(chunks).toBeGreaterThan(2);
    expect(io.stdoutText()).toBe(`collection "notes" in ${join(cwd, 'kb')}: ${chunks} chunks, embedder hashing-64\n`);
    const db = await SageDB.open(join(cwd, 'kb'));
    const info = await db.describeCollection('notes');
    expect(info.count).toBe(chunks);
    expect(info.metadata.embedder).toBe('hashing-64');
    await db.close();
  });

  it('rejects bad options as usage errors', async () => {
    const io = memoryIo(cwd);
    expect(await runCli(['index', 'build', 'docs', '--collection', 'notes', '--splitter', 'words'], io)).toBe(EXIT_USAGE);
    expect(io.stderrText()).toContain('expected recursive, character or sentence');
    expect(await runCli(['index', 'build', 'docs'], memoryIo(cwd))).toBe(EXIT_USAGE);
  });
});
