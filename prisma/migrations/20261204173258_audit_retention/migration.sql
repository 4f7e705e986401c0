-- AlterTable
ALTER TABLE "AuditEntry" ADD COLUMN "detail" JSONB;

-- CreateTable
CREATE TABLE "AuditPurgePermit" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "cutoff" DATETIME NOT NULL
);

-- CreateIndex
CREATE INDEX "AuditEntry_at_idx" ON "AuditEntry"("at");

-- Audit entries may be deleted once old enough (npm run ops:purge-audit), and only so: a delete needs
-- a permit whose cutoff is later than the entry, and the entry must be older than 183 days (6 months,
-- the legal minimum for access traces) whatever the permit says. The purge writes its permit and
-- removes it in the one transaction that deletes, so no other connection ever sees a permit.
-- julianday() reads both forms "at" takes (Prisma's ISO 8601 text and CURRENT_TIMESTAMP's); a value
-- it cannot read gives NULL, and the coalesce makes that a refusal, not a pass.
DROP TRIGGER "AuditEntry_no_delete";
CREATE TRIGGER "AuditEntry_no_delete" BEFORE DELETE ON "AuditEntry"
WHEN coalesce(julianday(OLD."at") < julianday('now', '-183 days'), 0) = 0
  OR NOT EXISTS (SELECT 1 FROM "AuditPurgePermit" p WHERE julianday(OLD."at") < julianday(p."cutoff"))
BEGIN SELECT RAISE(ABORT, 'AuditEntry is append-only: only entries older than the retention may be deleted, by npm run ops:purge-audit'); END;
-- Permits are never changed, only written and removed by the purge.
CREATE TRIGGER "AuditPurgePermit_no_update" BEFORE UPDATE ON "AuditPurgePermit"
BEGIN SELECT RAISE(ABORT, 'AuditPurgePermit rows are not changed: npm run ops:purge-audit writes and removes its own'); END;
