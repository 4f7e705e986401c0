// Prisma CLI configuration: JS schema engine + better-sqlite3 adapter, so nothing is downloaded.
// The CLI migrates only SQLite (`prisma migrate deploy`). PostgreSQL is migrated by `npm run db:migrate`
// (lib/migrations.ts): the JS schema engine cannot migrate it (prisma/orm issue 27403). The offline
// commands (`generate`, `migrate diff` between datamodels) work whatever DATABASE_URL says.
import path from 'node:path';
import { defineConfig } from 'prisma/config';
import { PrismaBetterSQLite3 } from '@prisma/adapter-better-sqlite3';
import { databaseProvider, databaseUrl } from './lib/databaseUrl';

const url = databaseUrl();
const sqlite = databaseProvider(url) === 'sqlite';
if (!sqlite) {
  // Refuse, rather than let a command meant for the database act on the stand-in below.
  const [command, sub] = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  if (command === 'db' || command === 'studio' || (command === 'migrate' && sub !== 'diff')) {
    throw new Error(`DATABASE_URL is PostgreSQL: the Prisma CLI cannot ${[command, sub].filter(Boolean).join(' ')} it with the JS schema engine (prisma/orm issue 27403). Run \`npm run db:migrate\`, which applies prisma/migrations-postgresql/ (docs/database.md).`);
  }
}
// The schema's datasource (provider sqlite) reads DATABASE_URL, and `migrate diff` opens the adapter
// although it reads nothing: with PostgreSQL, both get an in-memory SQLite stand-in.
const cliUrl = sqlite ? url : 'file::memory:';
process.env.DATABASE_URL = cliUrl;

export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: path.join('prisma', 'schema.prisma'),
  adapter: () => Promise.resolve(new PrismaBetterSQLite3({ url: cliUrl })),
});
