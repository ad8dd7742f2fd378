import { SageError } from '@sage/common';

export interface PostgresSinkErrorDetails {
  /** `postgres://host:port/database`: never the user, password or parameters of the connection string. */
  server: string;
  /** The table as configured (`name` or `schema.name`). */
  table: string;
}

/**
 * A `PostgresSink` could not use its table: the server could not be reached or refused the connection, the
 * table is missing (without `createTable`), or a batch could not be written. The message names the server
 * and the table, never the user or password; PostgreSQL's or the network's error is the `cause`. Its
 * SageError `code` is `SAGE_SERVICE`, as the database is an external service.
 */
export class PostgresSinkError extends SageError {
  readonly server: string;
  readonly table: string;

  constructor(message: string, details: PostgresSinkErrorDetails, options: { cause?: unknown } = {}) {
    super('SAGE_SERVICE', message, { cause: options.cause, details: { ...details } });
    this.server = details.server;
    this.table = details.table;
  }
}
