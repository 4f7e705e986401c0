-- CreateTable
CREATE TABLE "Refund" (
    "refundId" TEXT NOT NULL PRIMARY KEY,
    "caseId" TEXT NOT NULL,
    "amountCents" INTEGER NOT NULL,
    "method" TEXT NOT NULL,
    "reference" TEXT NOT NULL,
    "recordedBy" TEXT NOT NULL,
    "recordedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "afterEnd" BOOLEAN NOT NULL DEFAULT false,
    CONSTRAINT "Refund_caseId_fkey" FOREIGN KEY ("caseId") REFERENCES "Case" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Case" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "reference" TEXT NOT NULL,
    "workflowId" TEXT NOT NULL,
    "requestType" TEXT NOT NULL,
    "phase" TEXT NOT NULL,
    "awaitingRole" TEXT,
    "language" TEXT NOT NULL,
    "nationality" TEXT NOT NULL,
    "countryOfResidence" TEXT NOT NULL,
    "patientFirstName" TEXT NOT NULL,
    "patientLastName" TEXT NOT NULL,
    "patientEmail" TEXT NOT NULL,
    "patient" JSONB NOT NULL,
    "referrer" JSONB,
    "ownerId" TEXT,
    "coordinatorId" TEXT,
    "nextDeadline" DATETIME,
    "view" JSONB,
    "viewVersion" INTEGER NOT NULL DEFAULT 0,
    "confirmedRunId" TEXT,
    "moneyOwedCents" INTEGER NOT NULL DEFAULT 0,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Case_ownerId_fkey" FOREIGN KEY ("ownerId") REFERENCES "User" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_Case" ("awaitingRole", "confirmedRunId", "coordinatorId", "countryOfResidence", "createdAt", "id", "language", "nationality", "nextDeadline", "ownerId", "patient", "patientEmail", "patientFirstName", "patientLastName", "phase", "reference", "referrer", "requestType", "updatedAt", "view", "viewVersion", "workflowId") SELECT "awaitingRole", "confirmedRunId", "coordinatorId", "countryOfResidence", "createdAt", "id", "language", "nationality", "nextDeadline", "ownerId", "patient", "patientEmail", "patientFirstName", "patientLastName", "phase", "reference", "referrer", "requestType", "updatedAt", "view", "viewVersion", "workflowId" FROM "Case";
DROP TABLE "Case";
ALTER TABLE "new_Case" RENAME TO "Case";
CREATE UNIQUE INDEX "Case_reference_key" ON "Case"("reference");
CREATE UNIQUE INDEX "Case_workflowId_key" ON "Case"("workflowId");
CREATE INDEX "Case_phase_idx" ON "Case"("phase");
CREATE INDEX "Case_moneyOwedCents_idx" ON "Case"("moneyOwedCents");
CREATE INDEX "Case_requestType_idx" ON "Case"("requestType");
CREATE INDEX "Case_awaitingRole_nextDeadline_idx" ON "Case"("awaitingRole", "nextDeadline");
CREATE INDEX "Case_ownerId_idx" ON "Case"("ownerId");
CREATE INDEX "Case_patientEmail_idx" ON "Case"("patientEmail");
CREATE TABLE "new_Payment" (
    "paymentId" TEXT NOT NULL PRIMARY KEY,
    "caseId" TEXT NOT NULL,
    "amountCents" INTEGER NOT NULL,
    "currency" TEXT NOT NULL,
    "purpose" TEXT NOT NULL,
    "paidAt" DATETIME NOT NULL,
    "receivedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "counted" BOOLEAN NOT NULL DEFAULT true,
    CONSTRAINT "Payment_caseId_fkey" FOREIGN KEY ("caseId") REFERENCES "Case" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);
INSERT INTO "new_Payment" ("amountCents", "caseId", "currency", "paidAt", "paymentId", "purpose", "receivedAt") SELECT "amountCents", "caseId", "currency", "paidAt", "paymentId", "purpose", "receivedAt" FROM "Payment";
DROP TABLE "Payment";
ALTER TABLE "new_Payment" RENAME TO "Payment";
CREATE INDEX "Payment_caseId_idx" ON "Payment"("caseId");
CREATE INDEX "Payment_counted_idx" ON "Payment"("counted");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "Refund_caseId_idx" ON "Refund"("caseId");

-- Cases that ended before the ledger existed still owe what their last view says (their refund due):
-- they reach finance's money-owed worklist until the refund is recorded.
UPDATE "Case" SET "moneyOwedCents" = MAX(0, COALESCE(json_extract("view", '$.moneyBack.owedCents'), json_extract("view", '$.refundDueCents'), 0))
WHERE "view" IS NOT NULL AND json_valid("view");

-- Refunds are money that left the hospital: append-only, like the audit trail.
CREATE TRIGGER "Refund_no_update" BEFORE UPDATE ON "Refund"
BEGIN SELECT RAISE(ABORT, 'Refund is append-only: record a correcting refund instead of updating one'); END;
CREATE TRIGGER "Refund_no_delete" BEFORE DELETE ON "Refund"
BEGIN SELECT RAISE(ABORT, 'Refund is append-only: refunds cannot be deleted'); END;
