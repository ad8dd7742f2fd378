import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempDirectory } from './__fixtures__/temp-directory.js';
import { IoError } from './io-error.js';
import { LineReader, SKIP_LINE } from './line-reader.js';

const directory = useTempDirectory();

async function openReader(content: string): Promise<LineReader> {
  const filePath = join(directory(), 'lines.txt');
  writeFileSync(filePath, content);
  const reader = new LineReader('test', filePath, 'utf8');
  await reader.open();
  return reader;
}

const nextLine = async (reader: LineReader) => reader.read((line) => line);

describe('LineReader', () => {
  it('reads lazily: the first line of a large file does not load the whole file', async () => {
    const line = 'x'.repeat(99);
    const reader = await openReader(`${line}\n`.repeat(200_000)); // 20 MB
    expect(await nextLine(reader)).toBe(line);
    const bytesRead = (reader as unknown as { input: { bytesRead: number } }).input.bytesRead;
    expect(bytesRead).toBeLessThan(2_000_000);
    let count = 1;
    while ((await nextLine(reader)) !== undefined) count++;
    expect(count).toBe(200_000);
    await reader.close();
    await reader.close();
  });

  it('counts lines, skips what the selector skips, and returns undefined at the end', async () => {
    const reader = await openReader('a\nb\nc\n');
    expect([await nextLine(reader), reader.lineNumber]).toEqual(['a', 1]);
    expect(await reader.read((line) => (line === 'b' ? SKIP_LINE : line))).toBe('c');
    expect(reader.lineNumber).toBe(3);
    expect(await nextLine(reader)).toBeUndefined();
    await reader.close();
  });

  it('hands out buffered lines synchronously', async () => {
    const reader = await openReader('a\nb\n');
    expect(await nextLine(reader)).toBe('a');
    expect(reader.read((line) => line)).toBe('b');
    await reader.close();
  });

  it('fails with an IoError naming the file when the stream fails while reading', async () => {
    const reader = await openReader('a\n');
    expect(await nextLine(reader)).toBe('a');
    (reader as unknown as { input: { destroy(error: Error): void } }).input.destroy(new Error('disk gone'));
    const failure = (async () => nextLine(reader))();
    await expect(failure).rejects.toThrow(IoError);
    await expect(failure).rejects.toThrow(`test: cannot read "${reader.filePath}" after line 1: disk gone`);
    await reader.close();
  });

  it('close() is safe when open() failed', async () => {
    const reader = new LineReader('test', join(directory(), 'missing.txt'), 'utf8');
    await expect(reader.open()).rejects.toThrow('test: cannot open');
    await reader.close();
  });
});
