// Human case references, INT-<year>-<6 digits>, from a yearly counter in the database.
import type { Db } from '../lib/db';

export async function allocateReference(db: Db, now = new Date()): Promise<string> {
  const year = now.getUTCFullYear();
  // One statement: SQLite serialises writers, so two requests never get the same number.
  const row = await db.referenceCounter.upsert({ where: { year }, create: { year, last: 1 }, update: { last: { increment: 1 } } });
  return `INT-${year}-${String(row.last).padStart(6, '0')}`;
}
