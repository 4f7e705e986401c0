// A database of its own for a test file: a copy of the migrated template that test/globalSetup.ts made.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { createDb, type Db } from '../../lib/db';

const env = (name: string) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run the tests through jest (test/globalSetup.ts sets it)`);
  return v;
};

/** Copies the template into a new directory under the run's test directory (`<label>-<random>`) and opens it. */
export function openTestDb(label: string): Db {
  const dir = path.join(env('PARCOURS_TEST_DIR'), `${label}-${crypto.randomUUID().slice(0, 8)}`);
  fs.mkdirSync(dir);
  const dbFile = path.join(dir, 'parcours.db');
  fs.copyFileSync(env('PARCOURS_TEST_DB_TEMPLATE'), dbFile);
  return createDb(`file:${dbFile}`);
}
