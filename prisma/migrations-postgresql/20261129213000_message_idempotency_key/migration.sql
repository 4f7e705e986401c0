-- AlterTable
ALTER TABLE "Message" ADD COLUMN     "idempotencyKey" TEXT;

-- CreateIndex
CREATE UNIQUE INDEX "Message_caseId_authorId_idempotencyKey_key" ON "Message"("caseId", "authorId", "idempotencyKey");
