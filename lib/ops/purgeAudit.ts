// The audit trail's retention (`npm run ops:purge-audit`): deletes audit entries older than the
// retention, and nothing else. Medical and billing records (cases, case events, documents, messages,
// payments, refunds, estimates) are kept 20 years and are never touched here.
//
// AuditEntry is append-only: its delete trigger refuses a delete unless an AuditPurgePermit row with a
// later cutoff exists and the entry is older than 183 days. Each batch writes its permit, deletes, removes
// the permit and records itself in the trail, in one transaction: the permit is never visible to another
// connection (SQLite has one writer at a time; PostgreSQL shows no other transaction's uncommitted rows),
// and no entry is ever gone without the record of who removed it.
import { MIN_AUDIT_RETENTION_DAYS } from '../auditRetention';
import type { Db } from '../db';
import { OpsError } from './repair';

const DAY_MS = 24 * 60 * 60 * 1000;
/** Entries deleted per transaction: keeps each write short on the shared SQLite file. */
const BATCH = 20_000;

export interface PurgeOptions {
  retentionDays: number;
  /** Who runs it (recorded as the actor of the audit.purge entries). */
  by: string;
  /** Count only: nothing is deleted nor recorded. */
  dryRun?: boolean;
  now?: Date;
  batchSize?: number;
}

export interface PurgeResult {
  cutoff: Date;
  retentionDays: number;
  deleted: number;
  dryRun: boolean;
}

export function auditCutoff(retentionDays: number, now: Date = new Date()): Date {
  if (!Number.isInteger(retentionDays) || retentionDays < MIN_AUDIT_RETENTION_DAYS) {
    throw new OpsError(`Refused: a retention of ${retentionDays} days is under ${MIN_AUDIT_RETENTION_DAYS} days (6 months), the shortest time access traces must be kept. Set AUDIT_RETENTION_DAYS to ${MIN_AUDIT_RETENTION_DAYS} or more (default 400).`);
  }
  return new Date(now.getTime() - retentionDays * DAY_MS);
}

export async function purgeAuditTrail(db: Db, options: PurgeOptions): Promise<PurgeResult> {
  const cutoff = auditCutoff(options.retentionDays, options.now);
  const by = options.by.trim();
  if (!by) throw new OpsError('Say who runs the purge (--by <your name>): it is recorded in the audit trail.');
  const old = { at: { lt: cutoff } };
  if (options.dryRun) return { cutoff, retentionDays: options.retentionDays, deleted: await db.auditEntry.count({ where: old }), dryRun: true };

  const batchSize = options.batchSize ?? BATCH;
  let deleted = 0;
  let batch = 0;
  for (;;) {
    batch += 1;
    const n = await db.$transaction(
      async (tx) => {
        const ids = (await tx.auditEntry.findMany({ where: old, select: { id: true }, orderBy: { id: 'asc' }, take: batchSize })).map((r) => r.id);
        if (ids.length === 0 && batch > 1) return 0;
        const permit = await tx.auditPurgePermit.create({ data: { cutoff } });
        const { count } = ids.length ? await tx.auditEntry.deleteMany({ where: { id: { in: ids } } }) : { count: 0 };
        await tx.auditPurgePermit.delete({ where: { id: permit.id } });
        // The first batch is recorded even when it deletes nothing: every run is in the trail.
        await tx.auditEntry.create({
          data: { actorId: by, actorRole: 'ops', action: 'audit.purge', requestId: `audit-purge-${cutoff.toISOString()}`, detail: { cutoff: cutoff.toISOString(), retentionDays: options.retentionDays, deleted: count, batch } },
        });
        return count;
      },
      { timeout: 120_000 },
    );
    deleted += n;
    if (n < batchSize) break;
  }
  return { cutoff, retentionDays: options.retentionDays, deleted, dryRun: false };
}
