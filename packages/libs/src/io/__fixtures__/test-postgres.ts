import { userInfo } from 'node:os';
import pg from 'pg';

/** The PostgreSQL the io tests write to: `DATABASE_URL`, else the local server's `test` database. */
export const connectionString = process.env.DATABASE_URL || 'postgres://127.0.0.1:5432/test';

/** The tests' own connection, which names a user: `pg` reads no default but the `USER` variable. */
export const adminUrl = new URL(connectionString);
if (adminUrl.username === '') adminUrl.username = process.env.PGUSER || process.env.USER || userInfo().username;

export const admin = new pg.Pool({ connectionString: adminUrl.toString(), max: 2, connectionTimeoutMillis: 3_000 });
admin.on('error', () => {});

/** Why the PostgreSQL tests cannot run here, or undefined when the server answers. */
export const unavailable = await admin.query('SELECT 1').then(
  () => undefined,
  (error: Error) => `PostgreSQL at ${adminUrl.host} does not answer (${error.message})`,
);
