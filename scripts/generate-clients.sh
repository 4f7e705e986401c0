#!/usr/bin/env bash
# Generates both Prisma clients from prisma/schema.prisma (`npm run prisma:generate`, run by
# `./temporal-dev.sh setup`): generated/prisma (SQLite) and generated/prisma-postgresql (PostgreSQL, from
# the copy scripts/postgres-schema.sh writes with the provider switched). lib/db.ts picks one by the
# DATABASE_URL's scheme. Both are offline: the JS engine is selected in prisma.config.ts.
set -euo pipefail
cd "$(dirname "$0")/.."
prisma=node_modules/.bin/prisma
"$prisma" generate
bash scripts/postgres-schema.sh prisma/schema.prisma generated/postgresql/schema.prisma
"$prisma" generate --schema generated/postgresql/schema.prisma
