// Prisma CLI configuration: JS schema engine + better-sqlite3 adapter, so nothing is downloaded.
// The CLI connects only to SQLite (`prisma migrate deploy` there). PostgreSQL is migrated by
// `npm run db:migrate` (lib/migrations.ts): the JS schema engine cannot migrate it (prisma/orm issue
// 27403). Offline commands (`generate`, `migrate diff` between datamodels) work for both providers.
import path from 'node:path';
import { defineConfig } from 'prisma/config';
import { PrismaBetterSQLite3 } from '@prisma/adapter-better-sqlite3';
import { databaseProvider, databaseUrl } from './lib/databaseUrl';

const url = databaseUrl();
process.env.DATABASE_URL ??= url;

export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: path.join('prisma', 'schema.prisma'),
  adapter: () =>
    databaseProvider(url) === 'sqlite'
      ? Promise.resolve(new PrismaBetterSQLite3({ url }))
      : Promise.reject(new Error('The Prisma CLI cannot migrate PostgreSQL with the JS schema engine (prisma/orm issue 27403): run `npm run db:migrate`, which applies prisma/migrations-postgresql/.')),
});
