
import { ValidationError } from '@sage/common';
import pg from 'pg';
import { afterAll, afterEach, describe, expect, vi } from 'vitest';
import { describeSinkChecklist } from './__fixtures__/sink-checklist.js';
import { admin, adminUrl, connectionString, unavailable } from './__fixtures__/test-postgres.js';
import { PostgresSink } from './postgres-sink.js';
import { PostgresSinkError } from './postgres-sink-error.js';


/** A table of one test, and the connection string the sink writes it with. */
interface Table {
  name: string;
  connectionString: string;
}

let tableCount = 0;
const tables: string[] = [];

function newTable(): Table {
  const name = `sage_io_checklist_${process.pid}_${Date.now()}_${tableCount++}`;
  tables.push(name);
  const url = new URL(connectionString);
  url.searchParams.set('application_name', name);
  return { name, connectionString: url.toString() };
}

afterEach(async () => {
  for (const table of tables.splice(0)) await admin.query(`DROP TABLE IF EXISTS ${pg.escapeIdentifier(table)}`);
});

afterAll(async () => {
  await admin.end();
});

/** `connectionString` with its path (the database), port or credentials changed. */
function changed(change: (url: URL) => void): string {
  const url = new URL(connectionString);
  change(url);
  return url.toString();
}

function expectSinkError(error: unknown, table: string, server: string, reason: string): void {
  expect(error).toBeInstanceOf(PostgresSinkError);
  expect(error).toMatchObject({ code: 'SAGE_SERVICE', table, server });
  expect((error as Error).message).toContain(`PostgresSink: cannot use "${table}" on ${server}: ${reason}`);
}

describe.skipIf(unavailable !== undefined)(`PostgresSink against PostgreSQL${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  const server = `${adminUrl.protocol}//${adminUrl.host}${adminUrl.pathname}`;

  describeSinkChecklist<Table>({
    name: 'PostgresSink',
    fn: PostgresSink,
    target: newTable,
    // Small batches: records are written both while the job runs and, for the rest, in close().
    config: (table) => ({ connectionString: table.connectionString, table: table.name, createTable: true, batchSize: 3 }),
    read: async (table) => {
      const { rows } = await admin.query(`SELECT document FROM ${pg.escapeIdentifier(table.name)} ORDER BY id`);
      return rows.map((row) => row.document);
    },
    expectEmpty: async (table) => {
      // Documented: createTable creates the table in open(), whether records come or not.
      const { rows } = await admin.query(`SELECT count(*)::int AS count FROM ${pg.escapeIdentifier(table.name)}`);
      expect(rows[0].count).toBe(0);
    },
    expectReleased: async (table) => {
      // The server lets go of a backend shortly after its client disconnects.
      await vi.waitFor(
        async () => {
          const { rows } = await admin.query('SELECT count(*)::int AS count FROM pg_stat_activity WHERE application_name = $1', [table.name]);
          expect(rows[0].count, 'connections of the closed sink').toBe(0);
        },
        { timeout: 5_000, interval: 20 },
      );
    },
    cannotWrite: [
      {
        what: 'a server that does not answer',
        config: (table) => {
          const withPassword = changed((url) => {
            url.port = '1';
            url.username = 'writer';
            url.password = 'hunter2-secret';
          });
          return { connectionString: withPassword, table: table.name };
        },
        check: (error, table) => {
          expectSinkError(error, table.name, `${adminUrl.protocol}//${adminUrl.hostname}:1${adminUrl.pathname}`, '');
          expect((error as Error).message).toMatch(/ECONNREFUSED/);
          expect(`${(error as Error).stack} ${String((error as Error).cause)}`).not.toContain('hunter2');
        },
      },
      {
        what: 'a database that does not exist',
        config: (table) => ({ connectionString: changed((url) => (url.pathname = '/sage_no_such_database')), table: table.name, createTable: true }),
        check: (error, table) =>
          expectSinkError(error, table.name, `${adminUrl.protocol}//${adminUrl.host}/sage_no_such_database`, 'database "sage_no_such_database" does not exist'),
      },
      {
        what: 'a table that does not exist, without createTable',
        config: (table) => ({ connectionString: table.connectionString, table: table.name }),
        check: (error, table) =>
          expectSinkError(error, table.name, server, `table "${table.name}" does not exist (create it, or set createTable: true)`),
      },
      {
        what: 'a connection string that is not a URL',
        inConstructor: true,
        config: (table) => ({ connectionString: `host=${adminUrl.hostname} dbname=test password=hunter2-secret`, table: table.name }),
        check: (error) => {
          expect(error).toBeInstanceOf(ValidationError);
          expect((error as Error).message).toBe(
            'PostgresSink: option "connectionString" (else DATABASE_URL) must be a postgres:// URL (postgres://host:5432/database) or a socket directory, got another string (not shown: it may hold a password)',
          );
        },
      },
    ],
    reusable: true,
  });
});
