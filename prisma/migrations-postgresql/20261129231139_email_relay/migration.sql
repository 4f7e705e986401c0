-- AlterTable
ALTER TABLE "OutboundEmail" ADD COLUMN     "attachmentIds" TEXT,
ADD COLUMN     "nextAttemptAt" TIMESTAMP(3);

-- CreateIndex
CREATE INDEX "OutboundEmail_status_id_idx" ON "OutboundEmail"("status", "id");
