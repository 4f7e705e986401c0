-- AlterTable
ALTER TABLE "CaseEvent" ADD COLUMN "summary" TEXT;

-- CreateTable
CREATE TABLE "CaseRepair" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "reference" TEXT NOT NULL,
    "workflowId" TEXT NOT NULL,
    "failedRunId" TEXT NOT NULL,
    "newRunId" TEXT,
    "resetEventId" INTEGER NOT NULL,
    "failure" TEXT NOT NULL,
    "updates" JSONB NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "by" TEXT NOT NULL,
    "at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "completedAt" DATETIME
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
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Case_ownerId_fkey" FOREIGN KEY ("ownerId") REFERENCES "User" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_Case" ("awaitingRole", "coordinatorId", "countryOfResidence", "createdAt", "id", "language", "nationality", "nextDeadline", "ownerId", "patient", "patientEmail", "patientFirstName", "patientLastName", "phase", "reference", "referrer", "requestType", "updatedAt", "workflowId") SELECT "awaitingRole", "coordinatorId", "countryOfResidence", "createdAt", "id", "language", "nationality", "nextDeadline", "ownerId", "patient", "patientEmail", "patientFirstName", "patientLastName", "phase", "reference", "referrer", "requestType", "updatedAt", "workflowId" FROM "Case";
DROP TABLE "Case";
ALTER TABLE "new_Case" RENAME TO "Case";
CREATE UNIQUE INDEX "Case_reference_key" ON "Case"("reference");
CREATE UNIQUE INDEX "Case_workflowId_key" ON "Case"("workflowId");
CREATE INDEX "Case_phase_idx" ON "Case"("phase");
CREATE INDEX "Case_requestType_idx" ON "Case"("requestType");
CREATE INDEX "Case_awaitingRole_nextDeadline_idx" ON "Case"("awaitingRole", "nextDeadline");
CREATE INDEX "Case_ownerId_idx" ON "Case"("ownerId");
CREATE INDEX "Case_patientEmail_idx" ON "Case"("patientEmail");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "CaseRepair_reference_idx" ON "CaseRepair"("reference");

-- CreateIndex
CREATE UNIQUE INDEX "CaseRepair_workflowId_failedRunId_key" ON "CaseRepair"("workflowId", "failedRunId");
