-- AlterTable
ALTER TABLE "OutboundEmail" ADD COLUMN "attachmentIds" TEXT;
ALTER TABLE "OutboundEmail" ADD COLUMN "nextAttemptAt" DATETIME;

-- CreateIndex
CREATE INDEX "OutboundEmail_status_id_idx" ON "OutboundEmail"("status", "id");
