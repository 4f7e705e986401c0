-- AlterTable
ALTER TABLE "AuditEntry" ADD COLUMN     "detail" JSONB;

-- CreateTable
CREATE TABLE "AuditPurgePermit" (
    "id" SERIAL NOT NULL,
    "cutoff" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "AuditPurgePermit_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "AuditEntry_at_idx" ON "AuditEntry"("at");

-- Audit entries may be deleted once old enough (npm run ops:purge-audit), and only so: a delete needs
-- a permit whose cutoff is later than the entry, and the entry must be older than 183 days (6 months,
-- the legal minimum for access traces) whatever the permit says. The purge writes its permit and
-- removes it in the one transaction that deletes, so no other transaction ever sees a permit.
-- "at" is a UTC timestamp without time zone (as Prisma writes it): compared with now() in UTC.
CREATE FUNCTION "parcours_audit_delete_guard"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD."at" < (now() AT TIME ZONE 'UTC') - interval '183 days'
     AND EXISTS (SELECT 1 FROM "AuditPurgePermit" p WHERE OLD."at" < p."cutoff") THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'AuditEntry is append-only: only entries older than the retention may be deleted, by npm run ops:purge-audit' USING ERRCODE = 'restrict_violation';
END;
$$;
DROP TRIGGER "AuditEntry_no_delete" ON "AuditEntry";
CREATE TRIGGER "AuditEntry_no_delete" BEFORE DELETE ON "AuditEntry"
FOR EACH ROW EXECUTE FUNCTION "parcours_audit_delete_guard"();
-- Permits are never changed, only written and removed by the purge.
CREATE TRIGGER "AuditPurgePermit_no_update" BEFORE UPDATE ON "AuditPurgePermit"
FOR EACH ROW EXECUTE FUNCTION "parcours_refuse_change"('AuditPurgePermit rows are not changed: npm run ops:purge-audit writes and removes its own');
