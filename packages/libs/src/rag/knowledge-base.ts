/**
 * Where the RAG operators keep their documents: a SageDB database directory (default `SAGE_DB_PATH`, else
 * `./data/kb`) holding one collection per corpus. Operators of one process share one open database per
 * path, opened on first use and closed when the last operator using it closes: a job with a retriever and
 * an index writer on the same collection sees one consistent state.
 */
import { resolve } from 'node:path';
import { SageDB } from '@sage/middleware';

export const DEFAULT_DB_PATH = 'data/kb';

/** The database directory operators use when their config names none. */
export function defaultDbPath(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.SAGE_DB_PATH && env.SAGE_DB_PATH.trim() !== '' ? env.SAGE_DB_PATH : DEFAULT_DB_PATH);
}

interface SharedDatabase {
  opening: Promise<SageDB>;
  users: number;
}

const databases = new Map<string, SharedDatabase>();

/** An open database shared by path; call `release()` exactly once when done. */
export interface DatabaseLease {
  db: SageDB;
  path: string;
  release(): Promise<void>;
}

export async function acquireDatabase(path: string = defaultDbPath()): Promise<DatabaseLease> {
  const key = resolve(path);
  let shared = databases.get(key);
  if (shared === undefined) {
    shared = { opening: SageDB.open(key), users: 0 };
    databases.set(key, shared);
    shared.opening.catch(() => databases.delete(key));
  }
  shared.users++;
  const entry = shared;
  let db: SageDB;
  try {
    db = await entry.opening;
  } catch (error) {
    entry.users--;
    throw error;
  }
  let released = false;
  return {
    db,
    path: key,
    async release() {
      if (released) return;
      released = true;
      if (--entry.users > 0) return;
      databases.delete(key);
      await db.close();
    },
  };
}
