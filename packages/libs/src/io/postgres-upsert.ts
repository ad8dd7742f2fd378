import { ValidationError } from '@sage/common';

/** PostgreSQL refuses a statement with more bind parameters than this. */
export const MAX_PARAMETERS = 65_535;

/** One column the sink writes: its quoted name (`quoteIdentifier`) and the SQL cast of its parameter. */
export interface UpsertColumn {
  name: string;
  cast: '' | '::jsonb';
}

/**
 * `"name"` for an identifier, doubling quotes inside, so any name (spaces, capitals, quotes) is used as
 * written and never read as SQL. A NUL cannot be part of an identifier and is refused.
 */
export function quoteIdentifier(owner: string, name: string): string {
  if (name.length === 0 || name.includes('\0')) {
    throw new ValidationError(`${owner}: ${JSON.stringify(name)} is not a valid PostgreSQL identifier`);
  }
  return `"${name.replaceAll('"', '""')}"`;
}

/** `"table"` or `"schema"."table"` for `table` or `schema.table`. */
export function quoteTableName(owner: string, table: string): string {
  return table
    .split('.')
    .map((part) => quoteIdentifier(owner, part))
    .join('.');
}

/**
 * The text of an idempotent upsert of `rowCount` rows: one multi-row `INSERT … ON CONFLICT (key) DO
 * UPDATE` that sets every column to the incoming value, so writing the same records again leaves the same
 * rows. (Skipping unchanged rows with `IS DISTINCT FROM` would fail on columns without an equality
 * operator, such as `json`.) Values are bind parameters `$1…$n`, row after row.
 */
export function upsertStatement(table: string, key: UpsertColumn, columns: readonly UpsertColumn[], rowCount: number): string {
  const all = [key, ...columns];
  const names = all.map((column) => column.name).join(', ');
  const rows: string[] = [];
  for (let row = 0; row < rowCount; row++) {
    const first = row * all.length + 1;
    rows.push(`(${all.map((column, index) => `$${first + index}${column.cast}`).join(', ')})`);
  }
  const updates = columns.map((column) => `${column.name} = EXCLUDED.${column.name}`).join(', ');
  return `INSERT INTO ${table} (${names}) VALUES ${rows.join(', ')} ON CONFLICT (${key.name}) DO UPDATE SET ${updates}`;
}

/** `CREATE TABLE IF NOT EXISTS` with a text primary key, `text` mapped columns and the `jsonb` column. */
export function createTableStatement(table: string, key: UpsertColumn, columns: readonly UpsertColumn[]): string {
  const definitions = columns.map((column) => `${column.name} ${column.cast === '::jsonb' ? 'jsonb' : 'text'}`);
  return `CREATE TABLE IF NOT EXISTS ${table} (${[`${key.name} text PRIMARY KEY`, ...definitions].join(', ')})`;
}
