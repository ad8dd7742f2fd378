import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ValidationError } from '@sage/common';
import { LocalEnvironment } from '@sage/kernel';
import { collect } from '@sage/kernel/testing';
import { describe, expect, it } from 'vitest';
import { quiet, useTempDirectory } from './__fixtures__/temp-directory.js';
import { IoError } from './io-error.js';
import { JSONLBatch } from './jsonl-batch.js';

const directory = useTempDirectory();

interface Order {
  id: number;
  item: string;
}

function fileWith(content: string): string {
  const filePath = join(directory(), 'orders.jsonl');
  writeFileSync(filePath, content);
  return filePath;
}

async function readRecords(filePath: string, parallelism = 1): Promise<Order[]> {
  const env = new LocalEnvironment('jsonl-batch-test', quiet);
  const records = collect(env.fromBatch(JSONLBatch, { filePath, encoding: 'utf8' }, { parallelism }).map((record) => record as Order));
  await env.submit({ autostop: true });
  return records;
}

describe('JSONLBatch', () => {
  it('emits nothing for an empty file', async () => {
    expect(await readRecords(fileWith(''))).toEqual([]);
  });

  it('emits one parsed value per line, in order, skipping blank lines', async () => {
    const content = '{"id":1,"item":"tea"}\n\n{"id":2,"item":"milk"}\r\n  \n{"id":3,"item":"bread"}';
    expect(await readRecords(fileWith(content))).toEqual([
      { id: 1, item: 'tea' },
      { id: 2, item: 'milk' },
      { id: 3, item: 'bread' },
    ]);
  });

  it('reads many lines, also split over parallel instances', async () => {
    const orders = Array.from({ length: 3000 }, (_, id) => ({ id, item: `item ${id}` }));
    const filePath = fileWith(orders.map((order) => JSON.stringify(order)).join('\n'));
    expect(await readRecords(filePath)).toEqual(orders);
    const parallel = await readRecords(filePath, 4);
    expect(parallel.map((order) => order.id).sort((a, b) => a - b)).toEqual(orders.map((order) => order.id));
  });

  it('fails with an IoError naming file:line for a bad line', async () => {
    const filePath = fileWith('{"id":1,"item":"tea"}\n\n{"id":2,"item":\n{"id":3,"item":"bread"}\n');
    const failure = readRecords(filePath);
    await expect(failure).rejects.toThrow(IoError);
    await expect(failure).rejects.toThrow(`JSONLBatch: invalid JSON at ${filePath}:3: `);
    await expect(failure).rejects.toMatchObject({ filePath, lineNumber: 3 });
  });

  it('fails with an IoError naming a missing file', async () => {
    const filePath = join(directory(), 'missing.jsonl');
    await expect(readRecords(filePath)).rejects.toThrow(`JSONLBatch: cannot open "${filePath}": ENOENT`);
  });

  it('checks its config on construction', () => {
    expect(() => new JSONLBatch({ filePath: '' })).toThrow(ValidationError);
    expect(() => new JSONLBatch({ filePath: '' })).toThrow('JSONLBatch: option "filePath" must be a non-empty string, got ""');
    expect(() => new JSONLBatch({ filePath: 'a.jsonl', skipEmpty: false } as never)).toThrow(
      'JSONLBatch: unknown option "skipEmpty" (known: filePath, encoding)',
    );
  });
});
