import { ValidationError } from '@sage/common';
import { runOperator } from '@sage/kernel/testing';
import { describe, expect, it } from 'vitest';
import { quiet } from './__fixtures__/temp-directory.js';
import { PostgresSink } from './postgres-sink.js';
import { PostgresSinkError } from './postgres-sink-error.js';
import { createTableStatement, quoteIdentifier, quoteTableName, upsertStatement } from './postgres-upsert.js';

// Tests against a real PostgreSQL are in postgres-sink.int.test.ts.

describe('PostgresSink statements', () => {
  it('quotes identifiers, doubling quotes, and refuses empty names and NUL', () => {
    expect(quoteIdentifier('T', 'docs')).toBe('"docs"');
    expect(quoteIdentifier('T', 'My "odd"; DROP TABLE x')).toBe('"My ""odd""; DROP TABLE x"');
    expect(quoteTableName('T', 'rag.Chunks')).toBe('"rag"."Chunks"');
    expect(() => quoteTableName('T', 'rag.')).toThrow('T: "" is not a valid PostgreSQL identifier');
    expect(() => quoteIdentifier('T', 'a\0b')).toThrow(ValidationError);
  });

  it('builds one multi-row upsert with bind parameters, row after row', () => {
    const key = { name: '"id"', cast: '' as const };
    const columns = [
      { name: '"title"', cast: '' as const },
      { name: '"document"', cast: '::jsonb' as const },
    ];
    expect(upsertStatement('"docs"', key, columns, 2)).toBe(
      'INSERT INTO "docs" ("id", "title", "document") VALUES ($1, $2, $3::jsonb), ($4, $5, $6::jsonb) ' +
        'ON CONFLICT ("id") DO UPDATE SET "title" = EXCLUDED."title", "document" = EXCLUDED."document"',
    );
    expect(createTableStatement('"docs"', key, columns)).toBe(
      'CREATE TABLE IF NOT EXISTS "docs" ("id" text PRIMARY KEY, "title" text, "document" jsonb)',
    );
  });
});

describe('PostgresSink', () => {
  it('fails to open with a message naming the server but never the password', async () => {
    const connectionString = 'postgres://writer:hunter2-secret@127.0.0.1:1/rag?sslmode=disable';
    const failure = runOperator('sink', PostgresSink, { records: [{ id: 'a' }], config: { connectionString, table: 'docs' }, environment: quiet });
    const error = (await failure.catch((caught: unknown) => caught)) as Error;
    expect(error).toBeInstanceOf(PostgresSinkError);
    expect(error).toMatchObject({ code: 'SAGE_SERVICE', server: 'postgres://127.0.0.1:1/rag', table: 'docs' });
    expect(error.message).toMatch(/^PostgresSink: cannot use "docs" on postgres:\/\/127\.0\.0\.1:1\/rag: .*ECONNREFUSED/);
    expect(`${error.stack} ${String(error.cause)}`).not.toContain('hunter2');
  });

  it('checks its config on construction', () => {
    expect(() => new PostgresSink()).toThrow('PostgresSink: config must be an object, got undefined');
    expect(() => new PostgresSink({ table: '' })).toThrow('PostgresSink: option "table" must be a non-empty string, got ""');
    expect(() => new PostgresSink({ table: 'docs', batchSize: 0 })).toThrow('PostgresSink: option "batchSize" must be a positive integer, got 0');
    expect(() => new PostgresSink({ table: 'docs', batchSize: 40_000 })).toThrow(
      "PostgresSink: batchSize 40000 × 2 columns is 80000 parameters, more than PostgreSQL's 65535",
    );
    expect(() => new PostgresSink({ table: 'docs', columns: ['text'] } as never)).toThrow(
      'PostgresSink: option "columns" must be an object of column: field, got ["text"]',
    );
    expect(() => new PostgresSink({ table: 'docs', columns: {} })).toThrow('PostgresSink: option "columns" is empty and there is no jsonbColumn');
    expect(() => new PostgresSink({ table: 'docs', columns: { body: 1 } } as never)).toThrow(
      'PostgresSink: columns.body must name a record field, got 1',
    );
    expect(() => new PostgresSink({ table: 'docs', columns: { id: 'id' } })).toThrow(
      'PostgresSink: column "id" is written twice (the id goes to idColumn)',
    );
    expect(() => new PostgresSink({ table: 'docs', columns: { body: 'text' }, jsonbColumn: 'body' })).toThrow(
      'PostgresSink: column "body" is written twice (jsonbColumn)',
    );
    expect(() => new PostgresSink({ table: 'docs', createTable: 'yes' } as never)).toThrow(
      'PostgresSink: option "createTable" must be true or false, got "yes"',
    );
    // pg would read these as a relative URL and try a host named "base"; the error never shows the string.
    for (const connectionString of ['host=db dbname=rag password=hunter2', 'db.internal:5432/rag', 'http://db/rag']) {
      expect(() => new PostgresSink({ table: 'docs', connectionString })).toThrow(
        'PostgresSink: option "connectionString" (else DATABASE_URL) must be a postgres:// URL (postgres://host:5432/database) or a socket directory, got another string (not shown: it may hold a password)',
      );
    }
    for (const connectionString of ['postgresql://db/rag', 'postgres://writer@/rag', '/run/postgresql rag', 'socket:/run/postgresql?db=rag']) {
      expect(() => new PostgresSink({ table: 'docs', connectionString })).not.toThrow();
    }
    expect(() => new PostgresSink({ table: 'docs', upsert: true } as never)).toThrow(
      'PostgresSink: unknown option "upsert" (known: connectionString, table, idField, idColumn, columns, jsonbColumn, batchSize, createTable)',
    );
  });
});
