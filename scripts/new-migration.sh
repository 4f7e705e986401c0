#!/usr/bin/env bash
# Creates one migration for each provider, under the same name, by diffing the datamodel of the last
# commit against the working tree's (`prisma migrate dev` needs a shadow database the JS engine cannot run):
#   prisma/migrations/<stamp>_<name>/migration.sql             SQLite (applied by prisma migrate deploy)
#   prisma/migrations-postgresql/<stamp>_<name>/migration.sql  PostgreSQL (applied by scripts/migrate.ts)
# The PostgreSQL one diffs the PostgreSQL copies of both datamodels (scripts/postgres-schema.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
name="${1:?usage: npm run db:new-migration -- <name>   (letters, digits, underscores)}"
[[ "$name" =~ ^[A-Za-z0-9_]+$ ]] || { echo "Migration name '$name' must be letters, digits and underscores." >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
bash scripts/postgres-schema.sh prisma/schema.prisma "$tmp/next.postgresql.prisma"
if git cat-file -e HEAD:prisma/schema.prisma 2>/dev/null && [ -d prisma/migrations ] && ls prisma/migrations/*/migration.sql >/dev/null 2>&1; then
  git show HEAD:prisma/schema.prisma > "$tmp/prev.prisma"
  bash scripts/postgres-schema.sh "$tmp/prev.prisma" "$tmp/prev.postgresql.prisma"
  from_sqlite=(--from-schema-datamodel "$tmp/prev.prisma")
  from_postgresql=(--from-schema-datamodel "$tmp/prev.postgresql.prisma")
else
  from_sqlite=(--from-empty)
  from_postgresql=(--from-empty)
fi
diff_sql() { npx prisma migrate diff "$@" --script | grep -v '^Loaded Prisma config'; }
sqlite=$(diff_sql "${from_sqlite[@]}" --to-schema-datamodel prisma/schema.prisma)
postgresql=$(diff_sql "${from_postgresql[@]}" --to-schema-datamodel "$tmp/next.postgresql.prisma")
if ! grep -q '[^[:space:]]' <<<"$(grep -v '^--' <<<"$sqlite")"; then
  echo "No change between the committed schema and prisma/schema.prisma: nothing to migrate." >&2
  exit 1
fi
dir="$(date -u +%Y%m%d%H%M%S)_${name}"
mkdir -p "prisma/migrations/$dir" "prisma/migrations-postgresql/$dir"
printf '%s\n' "$sqlite" > "prisma/migrations/$dir/migration.sql"
printf '%s\n' "$postgresql" > "prisma/migrations-postgresql/$dir/migration.sql"
[ -f prisma/migrations/migration_lock.toml ] || printf 'provider = "sqlite"\n' > prisma/migrations/migration_lock.toml
cat <<MSG
Wrote prisma/migrations/$dir/migration.sql (SQLite)
  and prisma/migrations-postgresql/$dir/migration.sql (PostgreSQL).
Review both. SQL you add by hand (triggers, data changes) goes in both, each in its own dialect.
Then run: npm run db:migrate (DATABASE_URL picks the database; the SQLite file by default).
MSG
