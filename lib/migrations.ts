// Database migrations for both providers (`npm run db:migrate`, scripts/migrate.ts; see docs/database.md).
// SQLite: Prisma's `migrate deploy` over prisma/migrations/ (its `_prisma_migrations` table).
// PostgreSQL: Prisma's JS schema engine cannot run `migrate deploy` there (prisma/orm issue 27403),
// so this module applies prisma/migrations-postgresql/ itself: each pending migration in order, in a
// transaction of its own, recorded in `parcours_migrations`.
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { databaseProvider, projectRoot } from './databaseUrl';

/** The table recording the migrations applied to a PostgreSQL database. */
export const MIGRATIONS_TABLE = 'parcours_migrations';

export const migrationDirs = {
  sqlite: (root = projectRoot()) => path.join(root, 'prisma', 'migrations'),
  postgresql: (root = projectRoot()) => path.join(root, 'prisma', 'migrations-postgresql'),
};

export interface Migration {
  /** The folder's name, `<stamp>_<name>`: the same for both providers. */
  name: string;
  sql: string;
  /** SHA-256 of the SQL, as recorded when applied: a migration changed afterwards is refused. */
  checksum: string;
}

export interface MigrateResult {
  provider: 'sqlite' | 'postgresql';
  /** Migrations applied by this run, in order (PostgreSQL only; for SQLite, Prisma prints them). */
  applied: string[];
  /** Migrations that were already applied. */
  alreadyApplied: number;
}

/** The migrations of a folder, in order (folders named `<stamp>_<name>` holding a migration.sql). */
export function readMigrations(dir: string): Migration[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && fs.existsSync(path.join(dir, e.name, 'migration.sql')))
    .map((e) => e.name)
    .sort()
    .map((name) => {
      const sql = fs.readFileSync(path.join(dir, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: crypto.createHash('sha256').update(sql).digest('hex') };
    });
}

/**
 * Every SQLite migration has its PostgreSQL twin of the same name, and the other way round: a change
 * written for one provider only would leave the other's schema behind.
 */
export function checkTwins(root = projectRoot()): void {
  const sqlite = readMigrations(migrationDirs.sqlite(root)).map((m) => m.name);
  const postgresql = new Set(readMigrations(migrationDirs.postgresql(root)).map((m) => m.name));
  const missing = sqlite.filter((n) => !postgresql.has(n));
  const extra = [...postgresql].filter((n) => !sqlite.includes(n));
  if (missing.length || extra.length) {
    const lines = [
      ...missing.map((n) => `  prisma/migrations/${n} has no prisma/migrations-postgresql/${n}`),
      ...extra.map((n) => `  prisma/migrations-postgresql/${n} has no prisma/migrations/${n}`),
    ];
    throw new Error(`The two providers' migrations differ:\n${lines.join('\n')}\nWrite migrations with npm run db:new-migration, which writes both.`);
  }
}

export interface MigrateOptions {
  /** Repository root holding prisma/ (default: this one). */
  root?: string;
  /** PostgreSQL: the folder of migrations (default prisma/migrations-postgresql). */
  dir?: string;
  /** Progress lines (default: none). */
  log?: (line: string) => void;
}

/** Applies the pending migrations to the database at `url`, whichever its provider. */
export async function migrate(url: string, opts: MigrateOptions = {}): Promise<MigrateResult> {
  const root = opts.root ?? projectRoot();
  if (databaseProvider(url) === 'sqlite') {
    await migrateSqlite(url, root, opts.log);
    return { provider: 'sqlite', applied: [], alreadyApplied: 0 };
  }
  if (!opts.dir) checkTwins(root);
  return migratePostgres(url, readMigrations(opts.dir ?? migrationDirs.postgresql(root)), opts.log);
}

/** SQLite: Prisma's `migrate deploy` (prisma.config.ts gives it the JS engine and the adapter). */
function migrateSqlite(url: string, root: string, log: (line: string) => void = () => undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(path.join(root, 'node_modules', '.bin', 'prisma'), ['migrate', 'deploy'], { cwd: root, env: { ...process.env, DATABASE_URL: url } }, (err, stdout, stderr) => {
      for (const line of `${stdout}${stderr}`.split('\n')) if (line.trim()) log(line);
      if (err) reject(new Error(`prisma migrate deploy failed:\n${stdout}${stderr}`));
      else resolve();
    });
  });
}

/**
 * PostgreSQL: applies each pending migration in its own transaction together with its record, so a
 * migration that fails leaves nothing of itself (PostgreSQL's DDL is transactional) and is tried again
 * next time. An advisory lock makes concurrent runs (several processes starting at once) wait for
 * each other. A migration whose SQL changed after it was applied is refused, as Prisma does.
 */
export async function migratePostgres(url: string, migrations: Migration[], log: (line: string) => void = () => undefined): Promise<MigrateResult> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`SELECT pg_advisory_lock(hashtext($1))`, [MIGRATIONS_TABLE]);
    await client.query(`CREATE TABLE IF NOT EXISTS "${MIGRATIONS_TABLE}" (
      "name" TEXT PRIMARY KEY,
      "checksum" TEXT NOT NULL,
      "appliedAt" TIMESTAMPTZ NOT NULL DEFAULT now()
    )`);
    const { rows } = await client.query<{ name: string; checksum: string }>(`SELECT "name", "checksum" FROM "${MIGRATIONS_TABLE}"`);
    const applied = new Map(rows.map((r) => [r.name, r.checksum]));
    for (const m of migrations) {
      const checksum = applied.get(m.name);
      if (checksum !== undefined && checksum !== m.checksum) {
        throw new Error(`Migration ${m.name} was changed after it was applied to this database: restore its migration.sql, and write the change as a new migration (npm run db:new-migration).`);
      }
    }
    const known = new Set(migrations.map((m) => m.name));
    for (const name of applied.keys()) if (!known.has(name)) log(`Warning: migration ${name} is applied to this database but missing here (a newer version of Parcours migrated it?).`);
    const pending = migrations.filter((m) => !applied.has(m.name));
    const done: string[] = [];
    for (const m of pending) {
      await client.query('BEGIN');
      try {
        await client.query(m.sql);
        await client.query(`INSERT INTO "${MIGRATIONS_TABLE}" ("name", "checksum") VALUES ($1, $2)`, [m.name, m.checksum]);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK');
        throw migrationFailed(m.name, err);
      }
      done.push(m.name);
      log(`Applied ${m.name}`);
    }
    return { provider: 'postgresql', applied: done, alreadyApplied: migrations.length - pending.length };
  } finally {
    await client.end();
  }
}

function migrationFailed(name: string, err: unknown): Error {
  const e = err as { message?: string; position?: string };
  return new Error(`Migration ${name} failed and was rolled back (nothing of it applied): ${e.message ?? String(err)}${e.position ? ` (at character ${e.position} of its migration.sql)` : ''}`, { cause: err });
}
