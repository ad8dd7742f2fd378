import { OperatorError, ValidationError } from '@sage/common';
import { LocalEnvironment } from '@sage/kernel';
import { runOperator } from '@sage/kernel/testing';
import pg from 'pg';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { quiet } from './__fixtures__/temp-directory.js';
import { admin, connectionString, unavailable } from './__fixtures__/test-postgres.js';
import { PostgresSink, type PostgresSinkConfig } from './postgres-sink.js';


let tableCount = 0;
const tables: string[] = [];

/** A table name unique to this test run; the table is dropped after the test. */
function newTable(prefix = 'sage_io_sink'): string {
  const table = `${prefix}_${process.pid}_${Date.now()}_${tableCount++}`;
  tables.push(table);
  return table;
}

afterEach(async () => {
  for (const table of tables.splice(0)) await admin.query(`DROP TABLE IF EXISTS ${pg.escapeIdentifier(table)}`);
});

afterAll(async () => {
  await admin.end();
});

function write(records: unknown[], config: PostgresSinkConfig) {
  return runOperator('sink', PostgresSink, { records, config: { connectionString, ...config }, environment: quiet });
}

async function rowsOf(table: string, columns = 'id, document'): Promise<Record<string, unknown>[]> {
  const { rows } = await admin.query(`SELECT ${columns} FROM ${pg.escapeIdentifier(table)} ORDER BY id`);
  return rows;
}

const documents = Array.from({ length: 25 }, (_, index) => ({
  id: `doc-${String(index).padStart(2, '0')}`,
  text: `text ${index}`,
  metadata: { path: `docs/${index}.md`, tags: ['a', 'b'] },
}));

describe.skipIf(unavailable !== undefined)(`PostgresSink against PostgreSQL${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  it('connects without a user in the connection string, as PGUSER or the operating system user', async () => {
    const table = newTable();
    const withoutUser = new URL(connectionString);
    withoutUser.username = '';
    withoutUser.password = '';
    await write([documents[0]], { table, createTable: true, connectionString: withoutUser.toString() });
    expect(await rowsOf(table)).toHaveLength(1);
  });

  it('creates the table and writes nothing for an empty stream', async () => {
    const table = newTable();
    await write([], { table, createTable: true });
    expect(await rowsOf(table)).toEqual([]);
  });

  it('writes one record as a row with the whole record in the jsonb column', async () => {
    const table = newTable();
    const { metrics } = await write([documents[0]], { table, createTable: true });
    expect(metrics.recordsIn).toBe(1);
    expect(await rowsOf(table)).toEqual([{ id: 'doc-00', document: documents[0] }]);
  });

  it('inserts many records over batch boundaries, and writing them again leaves the same rows', async () => {
    const table = newTable();
    for (const batchSize of [1, 5, 7, 500]) {
      await write(documents, { table, createTable: true, batchSize });
      const rows = await rowsOf(table);
      expect(rows).toEqual(documents.map((document) => ({ id: document.id, document })));
    }
  });

  it('updates the rows of records that changed, and leaves the others', async () => {
    const table = newTable();
    await write(documents, { table, createTable: true, batchSize: 10 });
    const changed = documents.map((document, index) => (index % 4 === 0 ? { ...document, text: `changed ${index}` } : document));
    await write(changed, { table, batchSize: 10 });
    expect(await rowsOf(table)).toEqual(changed.map((document) => ({ id: document.id, document })));
  });

  it('lets the later record win when a batch holds the same id twice', async () => {
    const table = newTable();
    const records = [
      { id: 'a', version: 1 },
      { id: 'b', version: 1 },
      { id: 'a', version: 2 },
      { id: 'c', version: 1 },
      { id: 'a', version: 3 },
    ];
    await write(records, { table, createTable: true, batchSize: 3 });
    expect(await rowsOf(table)).toEqual([
      { id: 'a', document: { id: 'a', version: 3 } },
      { id: 'b', document: { id: 'b', version: 1 } },
      { id: 'c', document: { id: 'c', version: 1 } },
    ]);
  });

  it('maps fields to the typed columns of an existing table, with a custom id field and column', async () => {
    const table = newTable();
    const quoted = pg.escapeIdentifier(table);
    await admin.query(`CREATE TABLE ${quoted} (doc_id integer PRIMARY KEY, title text, score double precision, draft boolean, meta jsonb)`);
    const records = [
      { number: 1, title: 'One', score: 0.5, draft: true, metadata: { tags: ['x'] } },
      { number: 2, title: "Robert'); DROP TABLE students;--", score: 2, draft: false },
    ];
    const columns = { title: 'title', score: 'score', draft: 'draft', meta: 'metadata' };
    await write(records, { table, idField: 'number', idColumn: 'doc_id', columns });
    const { rows } = await admin.query(`SELECT doc_id, title, score, draft, meta FROM ${quoted} ORDER BY doc_id`);
    expect(rows).toEqual([
      { doc_id: 1, title: 'One', score: 0.5, draft: true, meta: { tags: ['x'] } },
      { doc_id: 2, title: "Robert'); DROP TABLE students;--", score: 2, draft: false, meta: null },
    ]);
  });

  it('quotes table and column names, so odd names are used as written', async () => {
    const table = newTable('Odd "Name"; sink');
    await write(documents.slice(0, 3), { table, createTable: true, columns: { 'Text Body': 'text' }, jsonbColumn: 'Doc' });
    const { rows } = await admin.query(`SELECT id, "Text Body" AS body FROM ${pg.escapeIdentifier(table)} ORDER BY id`);
    expect(rows).toEqual(documents.slice(0, 3).map((document) => ({ id: document.id, body: document.text })));
  });

  it('writes from parallel instances, which race to create the table', async () => {
    const table = newTable();
    const env = new LocalEnvironment('postgres-sink-parallel', quiet);
    env
      .fromBatch(documents)
      .keyBy((document) => document.id)
      .sink(PostgresSink, { connectionString, table, createTable: true, batchSize: 4 }, { parallelism: 3 });
    await env.submit({ autostop: true });
    expect(await rowsOf(table)).toEqual(documents.map((document) => ({ id: document.id, document })));
  });

  it('fails with a ValidationError naming the sink and the field for a record without an id', async () => {
    const table = newTable();
    const failure = write([documents[0], { text: 'no id' }], { table, createTable: true });
    await expect(failure).rejects.toThrow(OperatorError);
    const error = (await failure.catch((caught: unknown) => caught)) as OperatorError;
    expect(error.cause).toBeInstanceOf(ValidationError);
    expect((error.cause as Error).message).toBe(
      `PostgresSink "${table}": record field "id" must be a non-empty string or a finite number, got undefined`,
    );
    expect(error.message).toContain('operator "under_test" failed on record {"text":"no id"}');
  });

  it('fails in open() when the table does not exist and createTable is off', async () => {
    const table = newTable();
    await expect(write([documents[0]], { table })).rejects.toThrow(
      `PostgresSink: cannot use "${table}" on ${new URL(connectionString).protocol}//${new URL(connectionString).host}`,
    );
    await expect(write([documents[0]], { table })).rejects.toThrow(`table "${table}" does not exist (create it, or set createTable: true)`);
  });

  it('fails naming the table when a batch cannot be written, without losing the batch for a retry', async () => {
    const table = newTable();
    await admin.query(`CREATE TABLE ${pg.escapeIdentifier(table)} (id text PRIMARY KEY, count integer)`);
    const failure = write([{ id: 'a', count: 1 }, { id: 'b', count: 'many' }], { table, columns: { count: 'count' }, batchSize: 2 });
    await expect(failure).rejects.toThrow(`PostgresSink: writing 2 records to "${table}" failed: invalid input syntax for type integer: "many"`);
    expect(await rowsOf(table, 'id, count')).toEqual([]);
  });

  it('keeps a batch that failed to write, so onError: retry writes it again', async () => {
    const table = newTable();
    const quoted = pg.escapeIdentifier(table);
    const attempts = pg.escapeIdentifier(`${table}_attempts`);
    const failOnce = pg.escapeIdentifier(`${table}_fail_once`);
    await admin.query(`CREATE TABLE ${quoted} (id text PRIMARY KEY, document jsonb)`);
    // A sequence is not rolled back with the failed transaction: only the first write fails.
    await admin.query(`CREATE SEQUENCE ${attempts}`);
    await admin.query(
      `CREATE FUNCTION ${failOnce}() RETURNS trigger AS $$ BEGIN ` +
        `IF nextval('${attempts.replaceAll("'", "''")}') = 1 THEN RAISE EXCEPTION 'transient failure'; END IF; RETURN NULL; END $$ LANGUAGE plpgsql`,
    );
    await admin.query(`CREATE TRIGGER fail_once AFTER INSERT ON ${quoted} FOR EACH STATEMENT EXECUTE FUNCTION ${failOnce}()`);
    try {
      const { metrics } = await runOperator('sink', PostgresSink, {
        records: documents.slice(0, 6),
        config: { connectionString, table, batchSize: 3 },
        options: { onError: 'retry', maxRetries: 2 },
        environment: quiet,
      });
      expect(metrics.retries).toBe(1);
      expect(await rowsOf(table)).toEqual(documents.slice(0, 6).map((document) => ({ id: document.id, document })));
    } finally {
      await admin.query(`DROP TABLE ${quoted}`);
      await admin.query(`DROP FUNCTION ${failOnce}()`);
      await admin.query(`DROP SEQUENCE ${attempts}`);
    }
  });
});
