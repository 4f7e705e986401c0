#!/usr/bin/env bash
# Creates prisma/migrations/<stamp>_<name>/migration.sql by diffing the datamodel of the last commit
# against the working tree's (`prisma migrate dev` needs a shadow database the JS engine cannot run).
set -euo pipefail
cd "$(dirname "$0")/.."
name="${1:?usage: npm run db:new-migration -- <name>   (letters, digits, underscores)}"
[[ "$name" =~ ^[A-Za-z0-9_]+$ ]] || { echo "Migration name '$name' must be letters, digits and underscores." >&2; exit 2; }
prev=$(mktemp --suffix=.prisma)
trap 'rm -f "$prev"' EXIT
if git cat-file -e HEAD:prisma/schema.prisma 2>/dev/null && [ -d prisma/migrations ] && ls prisma/migrations/*/migration.sql >/dev/null 2>&1; then
  git show HEAD:prisma/schema.prisma > "$prev"
  from=(--from-schema-datamodel "$prev")
else
  from=(--from-empty)
fi
sql=$(npx prisma migrate diff "${from[@]}" --to-schema-datamodel prisma/schema.prisma --script | grep -v '^Loaded Prisma config')
if ! grep -q '[^[:space:]]' <<<"$(grep -v '^--' <<<"$sql")"; then
  echo "No change between the committed schema and prisma/schema.prisma: nothing to migrate." >&2
  exit 1
fi
dir="prisma/migrations/$(date -u +%Y%m%d%H%M%S)_${name}"
mkdir -p "$dir"
printf '%s\n' "$sql" > "$dir/migration.sql"
[ -f prisma/migrations/migration_lock.toml ] || printf 'provider = "sqlite"\n' > prisma/migrations/migration_lock.toml
echo "Wrote $dir/migration.sql — review it, then run: npm run db:migrate"
