import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ValidationError } from '@sage/common';
import { LocalEnvironment } from '@sage/kernel';
import { collect } from '@sage/kernel/testing';
import { describe, expect, it } from 'vitest';
import { quiet, useTempDirectory } from './__fixtures__/temp-directory.js';
import { CSVBatch, type CSVBatchConfig, type CSVRecord } from './csv-batch.js';
import { IoError } from './io-error.js';

const directory = useTempDirectory();

function fileWith(content: string | Buffer, name = 'rows.csv'): string {
  const filePath = join(directory(), name);
  writeFileSync(filePath, content);
  return filePath;
}

async function readRows(config: CSVBatchConfig, parallelism = 1): Promise<CSVRecord[]> {
  const env = new LocalEnvironment('csv-batch-test', quiet);
  const rows = collect(env.fromBatch(CSVBatch, config, { parallelism }));
  await env.submit({ autostop: true });
  return rows;
}

describe('CSVBatch', () => {
  it('emits nothing for an empty file and for a header without rows', async () => {
    expect(await readRows({ filePath: fileWith('') })).toEqual([]);
    expect(await readRows({ filePath: fileWith('id,name\n', 'header.csv') })).toEqual([]);
  });

  it('emits one record per row named by the header row, every field a string by default', async () => {
    const filePath = fileWith('id,name,active\r\n1,tea,true\r\n2,milk,false\r\n');
    expect(await readRows({ filePath })).toEqual([
      { id: '1', name: 'tea', active: 'true' },
      { id: '2', name: 'milk', active: 'false' },
    ]);
  });

  it('names the fields of a file without a header from explicit columns', async () => {
    const filePath = fileWith('1;tea\n2;milk');
    expect(await readRows({ filePath, columns: ['id', 'name'], delimiter: ';' })).toEqual([
      { id: '1', name: 'tea' },
      { id: '2', name: 'milk' },
    ]);
  });

  it('casts unquoted numbers and booleans with cast: true, keeping quoted fields and unsafe integers as text', async () => {
    const filePath = fileWith(
      'code,amount,ratio,flag,other,quoted,big,empty\n' + '007,-12,1.5e3,TRUE,12abc,"42",12345678901234567890,\n',
    );
    expect(await readRows({ filePath, cast: true })).toEqual([
      { code: 7, amount: -12, ratio: 1500, flag: true, other: '12abc', quoted: '42', big: '12345678901234567890', empty: '' },
    ]);
  });

  it('reads quoted fields holding delimiters, quotes and newlines', async () => {
    const filePath = fileWith('id,text\n1,"a, b"\n2,"say ""hi"""\n3,"line one\nline two"\n4,plain\n');
    expect(await readRows({ filePath })).toEqual([
      { id: '1', text: 'a, b' },
      { id: '2', text: 'say "hi"' },
      { id: '3', text: 'line one\nline two' },
      { id: '4', text: 'plain' },
    ]);
  });

  it('skips empty lines by default; with skipEmptyLines: false an empty line is a malformed row', async () => {
    const filePath = fileWith('id,name\n\n1,tea\n\n2,milk\n');
    expect(await readRows({ filePath })).toHaveLength(2);
    await expect(readRows({ filePath, skipEmptyLines: false })).rejects.toThrow(`CSVBatch: malformed row at ${filePath}:2: `);
  });

  it('reads other encodings and drops a UTF-8 byte order mark', async () => {
    const latin1 = fileWith(Buffer.from('name\ncafé\n', 'latin1'), 'latin1.csv');
    expect(await readRows({ filePath: latin1, encoding: 'latin1' })).toEqual([{ name: 'café' }]);
    expect(await readRows({ filePath: fileWith('\uFEFFid\nx\n', 'bom.csv') })).toEqual([{ id: 'x' }]);
  });

  it('reads many rows in order, and splits them over parallel instances so each is emitted once', async () => {
    const expected = Array.from({ length: 5000 }, (_, index) => ({ id: String(index), text: `row, ${index}` }));
    const filePath = fileWith(`id,text\n${expected.map((row) => `${row.id},"${row.text}"`).join('\n')}\n`);
    expect(await readRows({ filePath })).toEqual(expected);
    const parallel = await readRows({ filePath }, 3);
    expect(parallel).toHaveLength(5000);
    expect(parallel.map((row) => Number(row.id)).sort((a, b) => a - b)).toEqual(expected.map((_, index) => index));
  });

  it('parses lazily: the first row of a large file does not load the whole file', async () => {
    const filePath = fileWith(`id,text\n${'1,"some, text"\n'.repeat(1_000_000)}`); // 16 MB
    const batch = new CSVBatch({ filePath });
    batch.ctx = { parallelism: 1, parallelIndex: 0 } as never;
    await batch.open();
    expect(await batch.execute()).toEqual({ id: '1', text: 'some, text' });
    const bytesRead = (batch as unknown as { input: { bytesRead: number } }).input.bytesRead;
    expect(bytesRead).toBeLessThan(2_000_000);
    await batch.close();
    await batch.close();
  });

  it('fails with an IoError naming path:line for a row with the wrong number of fields', async () => {
    const filePath = fileWith('id,name\n1,tea\n2,"milk\nfoam"\n3\n4,bread\n');
    const failure = readRows({ filePath });
    await expect(failure).rejects.toThrow(IoError);
    await expect(failure).rejects.toThrow(`CSVBatch: malformed row at ${filePath}:5: Invalid Record Length`);
    await expect(failure).rejects.toMatchObject({ filePath, lineNumber: 5 });
  });

  it('fails with an IoError naming path:line for a bad quote', async () => {
    const filePath = fileWith('id,name\n1,"tea"x\n');
    await expect(readRows({ filePath })).rejects.toThrow(`CSVBatch: malformed row at ${filePath}:2: Invalid Closing Quote`);
  });

  it('fails with an IoError naming a missing file', async () => {
    const filePath = join(directory(), 'missing.csv');
    await expect(readRows({ filePath })).rejects.toThrow(`CSVBatch: cannot open "${filePath}": ENOENT`);
  });

  it('checks its config on construction', () => {
    expect(() => new CSVBatch({ filePath: '' })).toThrow(ValidationError);
    expect(() => new CSVBatch({ filePath: 'a.csv', columns: false } as never)).toThrow(
      'CSVBatch: option "columns" must be true (a header row) or an array of field names, got false',
    );
    expect(() => new CSVBatch({ filePath: 'a.csv', columns: ['id', 'id'] })).toThrow(
      'CSVBatch: option "columns" must be a non-empty array of distinct non-empty strings, got ["id","id"]',
    );
    expect(() => new CSVBatch({ filePath: 'a.csv', delimiter: '' })).toThrow('CSVBatch: option "delimiter" must be a non-empty string');
    expect(() => new CSVBatch({ filePath: 'a.csv', cast: 'yes' } as never)).toThrow('CSVBatch: option "cast" must be true or false');
    expect(() => new CSVBatch({ filePath: 'a.csv', header: true } as never)).toThrow(
      'CSVBatch: unknown option "header" (known: filePath, delimiter, columns, cast, encoding, skipEmptyLines)',
    );
  });
});
