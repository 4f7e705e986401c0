// `npm run db:migrate`: applies the pending migrations to DATABASE_URL (default: the embedded SQLite
// file data/parcours.db), whichever its provider. See lib/migrations.ts and docs/database.md.
import { databaseUrl } from '../lib/databaseUrl';
import { migrate } from '../lib/migrations';

async function main(): Promise<number> {
  if (process.argv.slice(2).some((a) => a === '--help' || a === '-h')) {
    console.log('Usage: npm run db:migrate\nApplies the pending migrations to DATABASE_URL: prisma/migrations/ with Prisma (SQLite, file:…), prisma/migrations-postgresql/ recorded in parcours_migrations (PostgreSQL, postgresql://…).');
    return 0;
  }
  const result = await migrate(databaseUrl(), { log: (line) => console.log(line) });
  if (result.provider === 'postgresql') {
    console.log(
      result.applied.length
        ? `PostgreSQL: ${result.applied.length} migration(s) applied, ${result.alreadyApplied} already applied before.`
        : `PostgreSQL: no pending migration (${result.alreadyApplied} applied).`,
    );
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
