import { userInfo } from 'node:os';
import { truncateForMessage, ValidationError } from '@sage/common';
import { SinkFunction } from '@sage/kernel';
import pg from 'pg';
import { checkConfig, optionalBoolean, optionalPositiveInteger, optionalString, requiredString } from './config-validation.js';
import { describeCause } from './io-error.js';
import { PostgresSinkError } from './postgres-sink-error.js';
import {
  createTableStatement,
  MAX_PARAMETERS,
  quoteIdentifier,
  quoteTableName,
  type UpsertColumn,
  upsertStatement,
} from './postgres-upsert.js';

export interface PostgresSinkConfig {
  /**
   * A `postgres://` URL (or a socket directory, `/run/postgresql database`); default: the `DATABASE_URL`
   * environment variable, else `postgres://127.0.0.1:5432/postgres`.
   */
  connectionString?: string;
  /** The table to write: `name` or `schema.name`, used as written (case and all). */
  table: string;
  /** The record field holding the record's id (a non-empty string or a finite number); default `id`. */
  idField?: string;
  /** The table's primary key (or unique) column the id is written to; default `id`. */
  idColumn?: string;
  /** Columns to fill from record fields: `{ column: field }`. A missing field writes NULL. */
  columns?: Record<string, string>;
  /** A `jsonb` column that receives the whole record; default `document` when `columns` is not given. */
  jsonbColumn?: string;
  /** Records per statement; default 500. */
  batchSize?: number;
  /** Create the table in `open()` when it does not exist; default false. */
  createTable?: boolean;
}

const OPTIONS = ['connectionString', 'table', 'idField', 'idColumn', 'columns', 'jsonbColumn', 'batchSize', 'createTable'] as const;
const DEFAULT_CONNECTION_STRING = 'postgres://127.0.0.1:5432/postgres';
const DEFAULT_BATCH_SIZE = 500;
/** SQLSTATEs of a `CREATE TABLE IF NOT EXISTS` that lost a race with another instance's. */
const CREATED_CONCURRENTLY = new Set(['23505', '42P07']);

interface Field {
  column: UpsertColumn;
  value: (record: Record<string, unknown>) => unknown;
}

/**
 * Writes records to a PostgreSQL table, idempotently: each record is upserted by its id (`INSERT … ON
 * CONFLICT (id) DO UPDATE`), so running a job again leaves the same rows, and a changed record updates its
 * row. Records are buffered and written `batchSize` at a time, one multi-row statement per batch in its own
 * transaction; the rest is written in `close()`, so every record is in the table when the job's result
 * resolves. When a batch holds the same id twice, the later record wins.
 *
 * What is written: the id to `idColumn`, each `columns` entry from its record field, and the whole record
 * as JSON to `jsonbColumn`. Values are bind parameters, never SQL text, and identifiers are quoted, so no
 * record or name can change the statement. PostgreSQL converts values to the columns' types; objects and
 * arrays are sent as JSON. `createTable` creates `idColumn text PRIMARY KEY`, the mapped columns as `text`
 * and `jsonbColumn jsonb`: create the table yourself for other types. Without `createTable` a missing table
 * fails in `open()`.
 *
 * A record that is not an object or has no usable id fails with a `ValidationError` naming the sink and
 * the field, under the operator's `onError` policy. A batch that fails to write is rolled back and stays
 * buffered, so `onError: 'retry'` (with `retryDelayMs`) writes it again, over a new connection if the old
 * one broke; with the default `fail` the job fails. Error messages show the server and database, never the
 * connection string's user or password. Each instance writes over its own connection: `keyBy` the id
 * upstream so that one id always goes to the same instance.
 */
export class PostgresSink extends SinkFunction<unknown, PostgresSinkConfig> {
  private readonly connectionString: string;
  /** Where errors say the sink writes: the server (no credentials) and the table as configured. */
  private readonly where: { server: string; table: string };
  private readonly table: string;
  private readonly idField: string;
  private readonly key: UpsertColumn;
  private readonly fields: Field[];
  private readonly batchSize: number;
  private readonly createTable: boolean;
  private pool: pg.Pool | undefined;
  /** Rows waiting to be written, by id (as text, like the key column compares them). */
  private batch = new Map<string, unknown[]>();
  /** The last write; writes run one after another on the instance's connection. */
  private writing: Promise<void> = Promise.resolve();

  constructor(config?: PostgresSinkConfig) {
    super(config);
    const checked = checkConfig('PostgresSink', config, OPTIONS);
    this.connectionString = checkConnectionString(
      optionalString('PostgresSink', checked, 'connectionString', process.env.DATABASE_URL || DEFAULT_CONNECTION_STRING),
    );
    const table = requiredString('PostgresSink', checked, 'table');
    this.table = quoteTableName('PostgresSink', table);
    this.where = { server: describeServer(this.connectionString), table };
    this.idField = optionalString('PostgresSink', checked, 'idField', 'id');
    const idColumn = optionalString('PostgresSink', checked, 'idColumn', 'id');
    this.key = { name: quoteIdentifier('PostgresSink', idColumn), cast: '' };
    this.fields = fieldsOf(checked, idColumn);
    this.batchSize = optionalPositiveInteger('PostgresSink', checked, 'batchSize', DEFAULT_BATCH_SIZE);
    const parameters = this.batchSize * (this.fields.length + 1);
    if (parameters > MAX_PARAMETERS) {
      throw new ValidationError(
        `PostgresSink: batchSize ${this.batchSize} × ${this.fields.length + 1} columns is ${parameters} parameters, more than PostgreSQL's ${MAX_PARAMETERS}`,
      );
    }
    this.createTable = optionalBoolean('PostgresSink', checked, 'createTable', false);
  }

  override async open(): Promise<void> {
    const pool = new pg.Pool({ connectionString: withDefaultUser(this.connectionString), max: 1 });
    // An idle connection that drops is reported here; the pool replaces it on the next write.
    pool.on('error', (error) => this.logger.warn({ table: this.table, error: error.message }, 'PostgresSink: connection lost'));
    try {
      if (this.createTable) {
        const columns = this.fields.map((field) => field.column);
        await pool.query(createTableStatement(this.table, this.key, columns)).catch((error: { code?: string }) => {
          if (!CREATED_CONCURRENTLY.has(error.code ?? '')) throw error;
        });
      }
      const { rows } = await pool.query<{ oid: string | null }>('SELECT to_regclass($1)::text AS oid', [this.table]);
      if (rows[0]?.oid == null) throw new Error(`table ${this.table} does not exist (create it, or set createTable: true)`);
    } catch (cause) {
      await pool.end(); // close() runs only after a successful open()
      throw new PostgresSinkError(`PostgresSink: cannot use ${this.table} on ${this.where.server}: ${describeCause(cause)}`, this.where, { cause });
    }
    this.pool = pool;
  }

  execute(record: unknown): void | Promise<void> {
    if (record === null || typeof record !== 'object' || Array.isArray(record)) {
      throw new ValidationError(`PostgresSink ${this.table}: a record must be an object, got ${truncateForMessage(record)}`);
    }
    const fields = record as Record<string, unknown>;
    const id = fields[this.idField];
    if (!isUsableId(id)) {
      throw new ValidationError(
        `PostgresSink ${this.table}: record field "${this.idField}" must be a non-empty string or a finite number, got ${truncateForMessage(id)}`,
        { details: { sink: this.ctx.name, table: this.table, field: this.idField } },
      );
    }
    const key = String(id);
    this.batch.set(key, [key, ...this.fields.map((field) => field.value(fields))]);
    if (this.batch.size >= this.batchSize) return this.flush();
  }

  override async close(): Promise<void> {
    const pool = this.pool;
    if (pool === undefined) return;
    try {
      await this.flush();
    } finally {
      this.pool = undefined;
      await pool.end();
    }
  }

  /** Writes the buffered rows after the writes already started; resolves when they are in the table. */
  private flush(): Promise<void> {
    const rows = this.batch;
    this.batch = new Map();
    const write = this.writing.then(() => this.write(rows));
    this.writing = write.catch(() => {}); // The caller gets the error; the next write still runs.
    return write;
  }

  private async write(rows: Map<string, unknown[]>): Promise<void> {
    if (rows.size === 0) return;
    const client = await this.pool!.connect().catch((cause: unknown) => {
      this.keep(rows);
      throw new PostgresSinkError(`PostgresSink: cannot connect to ${this.where.server}: ${describeCause(cause)}`, this.where, { cause });
    });
    let failure: unknown;
    try {
      await client.query('BEGIN');
      await client.query(upsertStatement(this.table, this.key, this.fields.map((field) => field.column), rows.size), [...rows.values()].flat());
      await client.query('COMMIT');
    } catch (cause) {
      failure = cause;
      await client.query('ROLLBACK').catch(() => {});
      this.keep(rows);
      throw new PostgresSinkError(`PostgresSink: writing ${rows.size} records to ${this.table} failed: ${describeCause(cause)}`, this.where, {
        cause,
      });
    } finally {
      client.release(failure instanceof Error ? failure : undefined);
    }
  }

  /** Buffers the rows of a failed write again, for a retry or close(); rows buffered since are newer and win. */
  private keep(rows: Map<string, unknown[]>): void {
    for (const [key, values] of rows) if (!this.batch.has(key)) this.batch.set(key, values);
  }
}

/**
 * The connection string, when it has a form `pg` reads: a URL (`postgres:`, `postgresql:`, `socket:`) or a
 * socket directory. `pg` would read anything else (such as libpq's `host=… dbname=…`) as a relative URL and
 * try to reach a host named `base`. The string is not shown in the error: it may hold a password.
 */
function checkConnectionString(connectionString: string): string {
  if (connectionString.startsWith('/')) return connectionString;
  // As `pg` reads it: a URL, or one with an empty host (`postgres://user@/database`, a socket by PGHOST).
  const protocol = urlProtocol(connectionString) ?? urlProtocol(connectionString.replace('@/', '@host/'));
  if (protocol === 'postgres:' || protocol === 'postgresql:' || protocol === 'socket:') return connectionString;
  throw new ValidationError(
    'PostgresSink: option "connectionString" (else DATABASE_URL) must be a postgres:// URL (postgres://host:5432/database) or a socket directory, got another string (not shown: it may hold a password)',
  );
}

function urlProtocol(text: string): string | undefined {
  try {
    return new URL(text).protocol;
  } catch {
    return undefined;
  }
}

function isUsableId(id: unknown): boolean {
  if (typeof id === 'string') return id.length > 0;
  return (typeof id === 'number' && Number.isFinite(id)) || typeof id === 'bigint';
}

function fieldsOf(config: Record<string, unknown>, idColumn: string): Field[] {
  const columns = config.columns;
  if (columns !== undefined && (columns === null || typeof columns !== 'object' || Array.isArray(columns))) {
    throw new ValidationError(`PostgresSink: option "columns" must be an object of column: field, got ${truncateForMessage(columns)}`);
  }
  const entries = Object.entries((columns ?? {}) as Record<string, unknown>);
  const jsonbColumn =
    config.jsonbColumn !== undefined ? requiredString('PostgresSink', config, 'jsonbColumn') : columns === undefined ? 'document' : undefined;
  if (columns !== undefined && entries.length === 0 && jsonbColumn === undefined) {
    throw new ValidationError('PostgresSink: option "columns" is empty and there is no jsonbColumn: nothing to write but the id');
  }
  const fields: Field[] = [];
  const seen = new Set([idColumn]);
  for (const [column, field] of entries) {
    if (typeof field !== 'string' || field.length === 0) {
      throw new ValidationError(`PostgresSink: columns.${column} must name a record field, got ${truncateForMessage(field)}`);
    }
    if (seen.has(column)) throw new ValidationError(`PostgresSink: column "${column}" is written twice (the id goes to idColumn)`);
    seen.add(column);
    fields.push({ column: { name: quoteIdentifier('PostgresSink', column), cast: '' }, value: (record) => toParameter(record[field]) });
  }
  if (jsonbColumn !== undefined) {
    if (seen.has(jsonbColumn)) throw new ValidationError(`PostgresSink: column "${jsonbColumn}" is written twice (jsonbColumn)`);
    fields.push({ column: { name: quoteIdentifier('PostgresSink', jsonbColumn), cast: '::jsonb' }, value: (record) => JSON.stringify(record) });
  }
  return fields;
}

/** A field value as a bind parameter: objects and arrays as JSON (pg would send arrays as array literals). */
function toParameter(value: unknown): unknown {
  if (value === undefined || value === null) return null;
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'object' && !(value instanceof Date) && !Buffer.isBuffer(value)) return JSON.stringify(value);
  return value;
}

/**
 * A connection string without a user connects as `PGUSER`, else as the operating system user, as with
 * `psql`; `pg` alone falls back only to the `USER` variable, which services and containers often lack.
 */
function withDefaultUser(connectionString: string): string {
  if (process.env.PGUSER || process.env.USER) return connectionString;
  try {
    const url = new URL(connectionString);
    if (url.username !== '' || url.host === '') return connectionString;
    url.username = encodeURIComponent(userInfo().username);
    return url.toString();
  } catch {
    return connectionString; // A socket directory, or no user name to be found.
  }
}

/** `postgres://host:port/database` of a connection string: never its user, password or parameters. */
function describeServer(connectionString: string): string {
  try {
    const url = new URL(connectionString);
    return `${url.protocol}//${url.host}${url.pathname}`;
  } catch {
    return 'the configured server';
  }
}
