// The Prisma client over SQLite through the better-sqlite3 driver adapter (no native query engine).
import { PrismaBetterSQLite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaClient } from '../generated/prisma/client';

export type Db = InstanceType<typeof PrismaClient>;

/** How long a write waits for the other process's write to finish before failing (the API and the worker share the file). */
const BUSY_TIMEOUT_MS = 30_000;

export function createDb(url: string): Db {
  return new PrismaClient({ adapter: new PrismaBetterSQLite3({ url, timeout: BUSY_TIMEOUT_MS }) });
}

/**
 * Puts the database file in write-ahead-log mode (it stays so): readers then never block the writer
 * nor the writer the readers, which the API and the worker need when they share one file under load
 * (in the default mode, 200 cases at once failed requests with "database is locked"). Call once at
 * process start.
 */
export async function useWriteAheadLog(db: Db): Promise<void> {
  await db.$queryRawUnsafe('PRAGMA journal_mode = WAL');
}

/** True when a write failed on a unique constraint (Prisma's P2002). */
export function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'P2002';
}
