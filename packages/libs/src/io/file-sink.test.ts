import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ValidationError } from '@sage/common';
import { LocalEnvironment } from '@sage/kernel';
import { runOperator } from '@sage/kernel/testing';
import { describe, expect, it } from 'vitest';
import { quiet, useTempDirectory } from './__fixtures__/temp-directory.js';
import { FileSink, type FileSinkConfig } from './file-sink.js';
import { FileSource } from './file-source.js';
import { IoError } from './io-error.js';

const directory = useTempDirectory();

function write(records: Iterable<unknown> | AsyncIterable<unknown>, config: FileSinkConfig) {
  return runOperator('sink', FileSink, { records, config, environment: quiet });
}

describe('FileSink', () => {
  it('creates an empty file for an empty stream', async () => {
    const filePath = join(directory(), 'empty.txt');
    await write([], { filePath });
    expect(readFileSync(filePath, 'utf8')).toBe('');
  });

  it('writes one line per record: strings as they are, other values as compact JSON', async () => {
    const filePath = join(directory(), 'out.txt');
    await write(['hello', { id: 1, tags: ['a'] }, 42, null, 10n], { filePath });
    expect(readFileSync(filePath, 'utf8')).toBe('hello\n{"id":1,"tags":["a"]}\n42\nnull\n"10"\n');
  });

  it('uses the format function when given', async () => {
    const filePath = join(directory(), 'formatted.txt');
    await write([1, 2], { filePath, format: (record) => `#${String(record)}` });
    expect(readFileSync(filePath, 'utf8')).toBe('#1\n#2\n');
  });

  it('has every line of a large stream in the file when the job resolves', async () => {
    const filePath = join(directory(), 'large.txt');
    const lines = Array.from({ length: 100_000 }, (_, index) => `line ${index} ${'x'.repeat(50)}`);
    const { metrics } = await write(lines, { filePath });
    expect(metrics.recordsIn).toBe(100_000);
    expect(readFileSync(filePath, 'utf8')).toBe(`${lines.join('\n')}\n`);
  });

  it('writes records from a slow async source', async () => {
    async function* slowly() {
      for (let index = 0; index < 5; index++) {
        await sleep(5);
        yield `tick ${index}`;
      }
    }
    const filePath = join(directory(), 'async.txt');
    await write(slowly(), { filePath });
    expect(readFileSync(filePath, 'utf8')).toBe('tick 0\ntick 1\ntick 2\ntick 3\ntick 4\n');
  });

  it('replaces an existing file by default and appends with append: true', async () => {
    const filePath = join(directory(), 'log.txt');
    writeFileSync(filePath, 'old\n');
    await write(['new'], { filePath });
    expect(readFileSync(filePath, 'utf8')).toBe('new\n');
    await write(['more'], { filePath, append: true });
    expect(readFileSync(filePath, 'utf8')).toBe('new\nmore\n');
  });

  it('copies a file line by line with FileSource', async () => {
    const input = join(directory(), 'in.txt');
    const output = join(directory(), 'copy.txt');
    writeFileSync(input, 'one\ntwo\n\nthree\n');
    const env = new LocalEnvironment('copy', quiet);
    env
      .fromBatch(FileSource, { filePath: input })
      .map((line) => line.toUpperCase())
      .sink(FileSink, { filePath: output, append: false, format: (line: string) => `> ${line}` });
    await env.submit({ autostop: true });
    expect(readFileSync(output, 'utf8')).toBe('> ONE\n> TWO\n> THREE\n');
  });

  it('fails with an IoError naming the file when its directory does not exist', async () => {
    const filePath = join(directory(), 'no', 'such', 'dir.txt');
    await expect(write(['x'], { filePath })).rejects.toThrow(IoError);
    await expect(write(['x'], { filePath })).rejects.toThrow(`FileSink: cannot open "${filePath}" for writing: ENOENT`);
  });

  it('refuses parallelism above 1', async () => {
    const filePath = join(directory(), 'parallel.txt');
    const env = new LocalEnvironment('parallel-sink', quiet);
    env.fromBatch(['a', 'b']).sink(FileSink, { filePath }, { parallelism: 2 });
    await expect(env.submit({ autostop: true })).rejects.toThrow('FileSink: parallelism must be 1');
  });

  it('checks its config on construction', () => {
    expect(() => new FileSink({ filePath: '' })).toThrow(ValidationError);
    expect(() => new FileSink({ filePath: 'a', append: 1 } as never)).toThrow('FileSink: option "append" must be true or false, got 1');
    expect(() => new FileSink({ filePath: 'a', format: 'json' } as never)).toThrow('FileSink: option "format" must be a function, got "json"');
    expect(existsSync('a')).toBe(false);
  });
});
