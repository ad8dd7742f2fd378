import { appendFileSync, renameSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { useTempDirectory } from './__fixtures__/temp-directory.js';
import { waitUntil } from './__fixtures__/wait-until.js';
import { IoError } from './io-error.js';
import { LineFollower, type LineFollowerOptions } from './line-follower.js';

const directory = useTempDirectory();
const followers: LineFollower[] = [];

afterEach(async () => {
  await Promise.all(followers.splice(0).map((follower) => follower.close()));
});

/** A follower of a temp file holding `content`, and the lines it hands out, as they arrive. */
async function follow(content: string, options: LineFollowerOptions = { pollIntervalMs: 1000 }) {
  const filePath = join(directory(), 'app.log');
  writeFileSync(filePath, content);
  const follower = new LineFollower('test', filePath, 'utf8', options);
  followers.push(follower);
  await follower.open();
  const lines: string[] = [];
  // A failure surfaces as an unhandled rejection, which fails the test run.
  void (async () => {
    for (;;) {
      const line = await follower.read((text) => text);
      if (line === undefined) return;
      lines.push(line);
    }
  })();
  return { filePath, follower, lines };
}

describe('LineFollower', () => {
  it('hands out the lines already there, then complete lines as they are appended', async () => {
    const { filePath, follower, lines } = await follow('\uFEFFfirst\r\nsecond\n');
    expect(follower.watching).toBe(true);
    await waitUntil(() => lines.length === 2, 'the existing lines are read');
    appendFileSync(filePath, 'third\nfou');
    await waitUntil(() => lines.length === 3, 'the appended line is read', 900);
    appendFileSync(filePath, 'rth\n');
    await waitUntil(() => lines.length === 4, 'the completed line is read', 900);
    expect(lines).toEqual(['first', 'second', 'third', 'fourth']);
    expect(follower.lineNumber).toBe(4);
  });

  it('notices changes by polling alone when not watching, and does not spin while waiting', async () => {
    const { filePath, follower, lines } = await follow('a\n', { pollIntervalMs: 50, watch: false });
    expect(follower.watching).toBe(false);
    await waitUntil(() => lines.length === 1, 'the first line is read');
    const reads = countCalls(follower, 'readChunk');
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(reads()).toBeLessThanOrEqual(7); // about one read per 50 ms poll, not thousands
    appendFileSync(filePath, 'b\n');
    await waitUntil(() => lines.length === 2, 'the poll finds the new line');
    expect(lines).toEqual(['a', 'b']);
  });

  it('reads a truncated file again from its start, dropping a partly read line', async () => {
    const { filePath, lines } = await follow('one\ntwo\npartial');
    await waitUntil(() => lines.length === 2, 'the existing lines are read');
    truncateSync(filePath, 0);
    appendFileSync(filePath, 'new\n');
    await waitUntil(() => lines.length === 3, 'the line after the truncation is read');
    expect(lines).toEqual(['one', 'two', 'new']);
  });

  it('follows a rotation: finishes the old file, then reads the new file at the path from its start', async () => {
    const { filePath, lines } = await follow('old 1\n');
    await waitUntil(() => lines.length === 1, 'the existing line is read');
    appendFileSync(filePath, 'old 2\nold unterminated');
    renameSync(filePath, `${filePath}.1`);
    await new Promise((resolve) => setTimeout(resolve, 20)); // the path is missing for a moment
    writeFileSync(filePath, 'new 1\n');
    await waitUntil(() => lines.length === 4, 'the new file is read');
    appendFileSync(filePath, 'new 2\n');
    await waitUntil(() => lines.length === 5, 'the new file is followed');
    expect(lines).toEqual(['old 1', 'old 2', 'old unterminated', 'new 1', 'new 2']);
  });

  it('waits while the file is missing, and picks it up when it comes back', async () => {
    const { filePath, lines } = await follow('a\n');
    await waitUntil(() => lines.length === 1, 'the existing line is read');
    rmSync(filePath);
    await new Promise((resolve) => setTimeout(resolve, 20));
    writeFileSync(filePath, 'b\n');
    await waitUntil(() => lines.length === 2, 'the recreated file is read');
    expect(lines).toEqual(['a', 'b']);
  });

  it('close() ends a pending read with undefined, at once', async () => {
    const filePath = join(directory(), 'idle.log');
    writeFileSync(filePath, '');
    const follower = new LineFollower('test', filePath, 'utf8', { pollIntervalMs: 60_000 });
    await follower.open();
    const pending = follower.read((line) => line);
    const started = Date.now();
    await follower.close();
    expect(await pending).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(1_000);
    await follower.close();
  });

  it('fails to open a missing file with an IoError naming it', async () => {
    const filePath = join(directory(), 'missing.log');
    const follower = new LineFollower('test', filePath, 'utf8', { pollIntervalMs: 1000 });
    await expect(follower.open()).rejects.toThrow(IoError);
    await expect(follower.open()).rejects.toThrow(`test: cannot open "${filePath}": ENOENT`);
    await follower.close();
  });
});

/** Counts the calls of a private method from now on. */
function countCalls(target: object, method: string): () => number {
  const instance = target as Record<string, (...args: unknown[]) => unknown>;
  const original = instance[method]!;
  let calls = 0;
  instance[method] = function (this: unknown, ...args: unknown[]) {
    calls++;
    return original.apply(this, args);
  };
  return () => calls;
}
