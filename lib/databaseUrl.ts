import fs from 'node:fs';
import path from 'node:path';

/** The repository root (the folder holding package.json), from source (`lib/`) or build (`dist/lib/`). */
export function projectRoot(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`No package.json above ${__dirname}: run Parcours from its repository.`);
    dir = parent;
  }
  return dir;
}

/**
 * The configured DATABASE_URL, or the embedded default `data/parcours.db` (folder created on demand).
 * A `postgresql://` URL selects PostgreSQL (see docs/database.md).
 */
export function databaseUrl(env: NodeJS.ProcessEnv = process.env): string {
  const url = env.DATABASE_URL || `file:${path.join(projectRoot(), 'data', 'parcours.db')}`;
  if (databaseProvider(url) === 'sqlite') fs.mkdirSync(path.dirname(path.resolve(url.slice('file:'.length))), { recursive: true });
  return url;
}

/** The database behind a DATABASE_URL: the embedded SQLite file (`file:`) or PostgreSQL (`postgresql://`, `postgres://`). */
export type DatabaseProvider = 'sqlite' | 'postgresql';

export function databaseProvider(url: string): DatabaseProvider {
  if (url.startsWith('file:')) return 'sqlite';
  if (/^postgres(ql)?:\/\//.test(url)) return 'postgresql';
  throw new Error(`DATABASE_URL must be file:<path> (SQLite) or postgresql://user@host:port/database (PostgreSQL), not '${url.replace(/\/\/[^@/]*@/, '//…@')}'.`);
}
