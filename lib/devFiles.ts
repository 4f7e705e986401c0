// Development files made once (secrets, keys): git-ignored, mode 0600.
import fs from 'node:fs';
import path from 'node:path';

/**
 * Writes `make()`'s JSON to `file` unless it exists, then reads it. Written aside, then linked into
 * place: a concurrent reader never sees half a file, and of two processes starting at once the
 * first one's content wins.
 */
export function jsonFileOnce<T>(file: string, make: () => T): T {
  if (!fs.existsSync(file)) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(make(), null, 2), { mode: 0o600 });
    try {
      fs.linkSync(tmp, file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err; // another process made it first
    } finally {
      fs.unlinkSync(tmp);
    }
  }
  return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
}
