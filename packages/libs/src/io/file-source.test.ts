import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ValidationError } from '@sage/common';
import { LocalEnvironment } from '@sage/kernel';
import { collect } from '@sage/kernel/testing';
import { describe, expect, it } from 'vitest';
import { quiet, useTempDirectory } from './__fixtures__/temp-directory.js';
import { waitUntil } from './__fixtures__/wait-until.js';
import { FileSource, type FileSourceConfig } from './file-source.js';
import { IoError } from './io-error.js';

const directory = useTempDirectory();

/** Writes `content` to a temp file and returns its path. */
function fileWith(content: string, name = 'input.txt'): string {
  const filePath = join(directory(), name);
  writeFileSync(filePath, content);
  return filePath;
}

async function readLines(config: FileSourceConfig, parallelism = 1): Promise<string[]> {
  const env = new LocalEnvironment('file-source-test', quiet);
  const lines = collect(env.fromBatch(FileSource, config, { parallelism }));
  await env.submit({ autostop: true });
  return lines;
}

describe('FileSource', () => {
  it('emits nothing for an empty file', async () => {
    expect(await readLines({ filePath: fileWith('') })).toEqual([]);
  });

  it('emits a single line without a trailing newline', async () => {
    expect(await readLines({ filePath: fileWith('only line') })).toEqual(['only line']);
  });

  it('emits many lines in file order, without line endings, skipping blank lines by default', async () => {
    const expected = Array.from({ length: 5000 }, (_, index) => `line ${index}`);
    const content = expected.map((line, index) => (index % 100 === 0 ? `${line}\r\n\n   \n` : `${line}\n`)).join('');
    expect(await readLines({ filePath: fileWith(content) })).toEqual(expected);
  });

  it('keeps blank lines with skipEmpty: false', async () => {
    expect(await readLines({ filePath: fileWith('a\n\n  \nb\n'), skipEmpty: false })).toEqual(['a', '', '  ', 'b']);
  });

  it('reads other encodings and drops a UTF-8 byte order mark', async () => {
    const latin1 = join(directory(), 'latin1.txt');
    writeFileSync(latin1, Buffer.from('café\nnaïve\n', 'latin1'));
    expect(await readLines({ filePath: latin1, encoding: 'latin1' })).toEqual(['café', 'naïve']);
    expect(await readLines({ filePath: fileWith('\uFEFFfirst\nsecond\n', 'bom.txt') })).toEqual(['first', 'second']);
  });

  it('splits the lines over parallel instances so each is emitted once', async () => {
    const expected = Array.from({ length: 1000 }, (_, index) => `row ${index}`);
    const lines = await readLines({ filePath: fileWith(expected.join('\n')) }, 3);
    expect(lines).toHaveLength(1000);
    expect([...lines].sort()).toEqual([...expected].sort());
  });

  it('fails the job with an IoError naming a missing file', async () => {
    const filePath = join(directory(), 'does-not-exist.txt');
    const failure = readLines({ filePath });
    await expect(failure).rejects.toThrow(IoError);
    await expect(failure).rejects.toThrow(`FileSource: cannot open "${filePath}": ENOENT`);
  });

  it('fails with an IoError when the path is a directory', async () => {
    await expect(readLines({ filePath: directory() })).rejects.toThrow(`FileSource: cannot read "${directory()}": it is a directory`);
  });

  it('with follow: true, emits appended lines while the job runs, until the job is stopped', async () => {
    const filePath = fileWith('first\n\nsecond\n');
    const env = new LocalEnvironment('file-source-follow', quiet);
    const lines = collect(env.fromBatch(FileSource, { filePath, follow: true }).map((line) => line.toUpperCase()));
    const running = await env.submit();
    expect(running.status).toBe('running');
    await waitUntil(() => lines.length === 2, 'the existing lines arrive');
    appendFileSync(filePath, 'third\n');
    await waitUntil(() => lines.length === 3, 'the appended line arrives');
    appendFileSync(filePath, 'fourth\nfif');
    await waitUntil(() => lines.length === 4, 'the second appended line arrives');
    const result = await env.stop();
    expect(result?.status).toBe('stopped');
    expect(lines).toEqual(['FIRST', 'SECOND', 'THIRD', 'FOURTH']);
  });

  it('with follow: true, stops promptly while waiting for lines', async () => {
    const env = new LocalEnvironment('file-source-follow-idle', quiet);
    const lines = collect(env.fromBatch(FileSource, { filePath: fileWith(''), follow: true, pollIntervalMs: 60_000 }));
    await env.submit();
    const started = Date.now();
    expect((await env.stop())?.status).toBe('stopped');
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(lines).toEqual([]);
  });

  it('with follow: true, refuses parallelism above 1', async () => {
    await expect(readLines({ filePath: fileWith('a\n'), follow: true }, 2)).rejects.toThrow(
      'FileSource: a followed file is read by one instance, so parallelism must be 1, got 2',
    );
  });

  it('checks its config on construction, naming the class, the option and the value', () => {
    expect(() => new FileSource()).toThrow(ValidationError);
    expect(() => new FileSource()).toThrow('FileSource: config must be an object, got undefined');
    expect(() => new FileSource({ filePath: '' })).toThrow('FileSource: option "filePath" must be a non-empty string, got ""');
    expect(() => new FileSource({ filePath: 42 } as never)).toThrow('option "filePath" must be a non-empty string, got 42');
    expect(() => new FileSource({ filePath: 'a', encoding: 'klingon' as BufferEncoding })).toThrow(
      'FileSource: option "encoding" must be a Node.js buffer encoding such as "utf8", got "klingon"',
    );
    expect(() => new FileSource({ filePath: 'a', skipEmpty: 'yes' } as never)).toThrow(
      'FileSource: option "skipEmpty" must be true or false, got "yes"',
    );
    expect(() => new FileSource({ filePath: 'a', pollIntervalMs: 10 })).toThrow(
      'FileSource: option "pollIntervalMs" applies only with follow: true',
    );
    expect(() => new FileSource({ filePath: 'a', follow: true, pollIntervalMs: 0 })).toThrow(
      'FileSource: option "pollIntervalMs" must be a positive integer, got 0',
    );
    expect(() => new FileSource({ path: 'a' } as never)).toThrow(
      'FileSource: unknown option "path" (known: filePath, encoding, skipEmpty, follow, pollIntervalMs)',
    );
  });

  it('fails the job at submit when given a bad config', async () => {
    await expect(readLines({ filePath: '' })).rejects.toThrow(ValidationError);
  });
});
