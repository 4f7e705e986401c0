-- AlterTable
ALTER TABLE "Case" ADD COLUMN     "moneyOwedCents" INTEGER NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "Payment" ADD COLUMN     "counted" BOOLEAN NOT NULL DEFAULT true;

-- CreateTable
CREATE TABLE "Refund" (
    "refundId" TEXT NOT NULL,
    "caseId" TEXT NOT NULL,
    "amountCents" INTEGER NOT NULL,
    "method" TEXT NOT NULL,
    "reference" TEXT NOT NULL,
    "recordedBy" TEXT NOT NULL,
    "recordedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "afterEnd" BOOLEAN NOT NULL DEFAULT false,

    CONSTRAINT "Refund_pkey" PRIMARY KEY ("refundId")
);

-- CreateIndex
CREATE INDEX "Refund_caseId_idx" ON "Refund"("caseId");

-- CreateIndex
CREATE INDEX "Case_moneyOwedCents_idx" ON "Case"("moneyOwedCents");

-- CreateIndex
CREATE INDEX "Payment_counted_idx" ON "Payment"("counted");

-- AddForeignKey
ALTER TABLE "Refund" ADD CONSTRAINT "Refund_caseId_fkey" FOREIGN KEY ("caseId") REFERENCES "Case"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Cases that ended before the ledger existed still owe what their last view says (their refund due):
-- they reach finance's money-owed worklist until the refund is recorded.
UPDATE "Case" SET "moneyOwedCents" = GREATEST(0, COALESCE(
  CASE WHEN jsonb_typeof("view" #> '{moneyBack,owedCents}') = 'number' THEN round(("view" #>> '{moneyBack,owedCents}')::numeric)::integer END,
  CASE WHEN jsonb_typeof("view" -> 'refundDueCents') = 'number' THEN round(("view" ->> 'refundDueCents')::numeric)::integer END,
  0))
WHERE "view" IS NOT NULL;

-- Refunds are money that left the hospital: append-only, like the audit trail.
CREATE TRIGGER "Refund_no_update" BEFORE UPDATE ON "Refund"
FOR EACH ROW EXECUTE FUNCTION "parcours_refuse_change"('Refund is append-only: record a correcting refund instead of updating one');
CREATE TRIGGER "Refund_no_delete" BEFORE DELETE ON "Refund"
FOR EACH ROW EXECUTE FUNCTION "parcours_refuse_change"('Refund is append-only: refunds cannot be deleted');
CREATE TRIGGER "Refund_no_truncate" BEFORE TRUNCATE ON "Refund"
FOR EACH STATEMENT EXECUTE FUNCTION "parcours_refuse_change"('Refund is append-only: refunds cannot be deleted');
