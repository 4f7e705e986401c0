// Prisma CLI configuration: JS schema engine + better-sqlite3 adapter, so nothing is downloaded.
import path from 'node:path';
import { defineConfig } from 'prisma/config';
import { PrismaBetterSQLite3 } from '@prisma/adapter-better-sqlite3';
import { databaseUrl } from './lib/databaseUrl';

const url = databaseUrl();
process.env.DATABASE_URL ??= url;

export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: path.join('prisma', 'schema.prisma'),
  adapter: () => Promise.resolve(new PrismaBetterSQLite3({ url })),
});
