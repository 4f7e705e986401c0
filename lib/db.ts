// The Prisma client, through a driver adapter (no native query engine): SQLite through better-sqlite3
// (the embedded default), or PostgreSQL through pg when DATABASE_URL is a postgresql:// URL.
import { PrismaBetterSQLite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import { Prisma, PrismaClient } from '../generated/prisma/client';
// Generated from the PostgreSQL copy of prisma/schema.prisma (scripts/generate-clients.sh): a client is
// tied to its schema's provider, and refuses an adapter of another.
import { PrismaClient as PostgresPrismaClient } from '../generated/prisma-postgresql/client';
import { databaseProvider, type DatabaseProvider } from './databaseUrl';

/**
 * The database client callers use, whichever the provider: both clients are generated from the same
 * datamodel, so they have the same models, fields and methods.
 */
export type Db = InstanceType<typeof PrismaClient>;

/** How long a write waits for the other process's write to finish before failing (the API and the worker share the file). */
const BUSY_TIMEOUT_MS = 30_000;

const providers = new WeakMap<object, DatabaseProvider>();

export function createDb(url: string): Db {
  const provider = databaseProvider(url);
  const db =
    provider === 'postgresql'
      ? // Same datamodel, same API: only the provider-specific typings (e.g. isolation levels) differ.
        (new PostgresPrismaClient({ adapter: new PrismaPg({ connectionString: url }) }) as unknown as Db)
      : new PrismaClient({ adapter: new PrismaBetterSQLite3({ url, timeout: BUSY_TIMEOUT_MS }) });
  providers.set(db, provider);
  return db;
}

/** The provider of a client made by createDb. */
export function providerOf(db: Db): DatabaseProvider {
  const provider = providers.get(db);
  if (!provider) throw new Error('This database client was not made by createDb (lib/db.ts): its provider is unknown.');
  return provider;
}

/**
 * SQLite: puts the database file in write-ahead-log mode (it stays so): readers then never block the
 * writer nor the writer the readers, which the API and the worker need when they share one file under
 * load (in the default mode, 200 cases at once failed requests with "database is locked"). Call once at
 * process start. PostgreSQL: nothing to do (its readers never block its writers).
 */
export async function useWriteAheadLog(db: Db): Promise<void> {
  if (providerOf(db) !== 'sqlite') return;
  await db.$queryRawUnsafe('PRAGMA journal_mode = WAL');
}

/**
 * A JSON column's top-level field as text, for raw SQL: `json_extract(col, '$.field')` on SQLite,
 * `col ->> 'field'` on PostgreSQL. `column` is a trusted SQL expression (e.g. `e."payload"`).
 */
export function jsonText(db: Db, column: string, field: string): Prisma.Sql {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(field)) throw new Error(`Not a JSON field name: ${field}`);
  return providerOf(db) === 'postgresql' ? Prisma.raw(`(${column} ->> '${field}')`) : Prisma.raw(`json_extract(${column}, '$.${field}')`);
}

/**
 * Inside an interactive transaction: holds the case's row until the transaction ends, so two
 * transactions judging the same case (e.g. refunds after its end) run one after the other. SQLite runs
 * one writing transaction at a time anyway; PostgreSQL (read committed) needs the row lock.
 */
export async function lockCaseRow(db: Db, tx: Prisma.TransactionClient, caseId: string): Promise<void> {
  if (providerOf(db) !== 'postgresql') return;
  await tx.$queryRaw`SELECT 1 FROM "Case" WHERE "id" = ${caseId} FOR UPDATE`;
}

/** True when a write failed on a unique constraint (Prisma's P2002, on both providers). */
export function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'P2002';
}
