// PostgreSQL databases for tests: each test file creates its own (random name) on the server at
// PARCOURS_TEST_POSTGRES_URL (default: the machine's PostgreSQL, postgres@127.0.0.1:5432, trust auth),
// and drops it when done, whatever happened.
import crypto from 'node:crypto';
import { Client } from 'pg';

/** A maintenance database on the server: databases are created and dropped from it. */
export const POSTGRES_ADMIN_URL = process.env.PARCOURS_TEST_POSTGRES_URL || 'postgresql://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  name: string;
  /** `postgresql://…/<name>`: a DATABASE_URL for it. */
  url: string;
  /** Runs SQL on it with a short-lived connection (for assertions the app's client would hide). */
  query<T extends Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Drops it, closing whatever connections are left (idempotent). */
  drop(): Promise<void>;
}

async function withClient<T>(url: string, run: (c: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

export async function createTestDatabase(prefix = 'parcours_test'): Promise<TestDatabase> {
  const name = `${prefix}_${crypto.randomBytes(6).toString('hex')}`;
  try {
    await withClient(POSTGRES_ADMIN_URL, (c) => c.query(`CREATE DATABASE "${name}"`));
  } catch (err) {
    throw new Error(`Cannot create a test database on ${POSTGRES_ADMIN_URL} (set PARCOURS_TEST_POSTGRES_URL to a PostgreSQL server where this user may create databases): ${(err as Error).message}`, { cause: err });
  }
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  let dropped = false;
  return {
    name,
    url: url.toString(),
    query: async <T extends Record<string, unknown>>(sql: string, params?: unknown[]) => withClient(url.toString(), async (c) => (await c.query<T>(sql, params)).rows),
    async drop() {
      if (dropped) return;
      await withClient(POSTGRES_ADMIN_URL, (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
      dropped = true;
    },
  };
}
