-- CreateTable
CREATE TABLE "MailRelayLease" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "holder" TEXT NOT NULL,
    "until" DATETIME NOT NULL
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_OutboundEmail" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "idempotencyKey" TEXT NOT NULL,
    "messageId" TEXT NOT NULL,
    "toAddress" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "textBody" TEXT NOT NULL,
    "attachmentIds" TEXT,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" DATETIME,
    "lastError" TEXT,
    "caseReference" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sentAt" DATETIME
);
INSERT INTO "new_OutboundEmail" ("attachmentIds", "attempts", "caseReference", "createdAt", "id", "idempotencyKey", "lastError", "messageId", "nextAttemptAt", "sentAt", "status", "subject", "textBody", "toAddress") SELECT "attachmentIds", "attempts", "caseReference", "createdAt", "id", "idempotencyKey", "lastError", "messageId", "nextAttemptAt", "sentAt", "status", "subject", "textBody", "toAddress" FROM "OutboundEmail";
DROP TABLE "OutboundEmail";
ALTER TABLE "new_OutboundEmail" RENAME TO "OutboundEmail";
CREATE UNIQUE INDEX "OutboundEmail_idempotencyKey_key" ON "OutboundEmail"("idempotencyKey");
CREATE UNIQUE INDEX "OutboundEmail_messageId_key" ON "OutboundEmail"("messageId");
CREATE INDEX "OutboundEmail_caseReference_idx" ON "OutboundEmail"("caseReference");
CREATE INDEX "OutboundEmail_status_id_idx" ON "OutboundEmail"("status", "id");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
