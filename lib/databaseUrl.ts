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

/** The configured DATABASE_URL, or the embedded default `data/parcours.db` (folder created on demand). */
export function databaseUrl(env: NodeJS.ProcessEnv = process.env): string {
  const url = env.DATABASE_URL || `file:${path.join(projectRoot(), 'data', 'parcours.db')}`;
  if (url.startsWith('file:')) fs.mkdirSync(path.dirname(path.resolve(url.slice('file:'.length))), { recursive: true });
  return url;
}
