-- CreateTable
CREATE TABLE "Case" (
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
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "CaseEvent" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "caseId" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "idempotencyKey" TEXT NOT NULL,
    CONSTRAINT "CaseEvent_caseId_fkey" FOREIGN KEY ("caseId") REFERENCES "Case" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "OutboundEmail" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "idempotencyKey" TEXT NOT NULL,
    "messageId" TEXT NOT NULL,
    "toAddress" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "textBody" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lastError" TEXT,
    "caseReference" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sentAt" DATETIME
);

-- CreateTable
CREATE TABLE "CaseRequest" (
    "idempotencyKey" TEXT NOT NULL PRIMARY KEY,
    "reference" TEXT NOT NULL,
    "bodyHash" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "ReferenceCounter" (
    "year" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "last" INTEGER NOT NULL
);

-- CreateIndex
CREATE UNIQUE INDEX "Case_reference_key" ON "Case"("reference");

-- CreateIndex
CREATE UNIQUE INDEX "Case_workflowId_key" ON "Case"("workflowId");

-- CreateIndex
CREATE INDEX "Case_phase_idx" ON "Case"("phase");

-- CreateIndex
CREATE INDEX "Case_requestType_idx" ON "Case"("requestType");

-- CreateIndex
CREATE UNIQUE INDEX "CaseEvent_idempotencyKey_key" ON "CaseEvent"("idempotencyKey");

-- CreateIndex
CREATE INDEX "CaseEvent_caseId_at_idx" ON "CaseEvent"("caseId", "at");

-- CreateIndex
CREATE UNIQUE INDEX "OutboundEmail_idempotencyKey_key" ON "OutboundEmail"("idempotencyKey");

-- CreateIndex
CREATE UNIQUE INDEX "OutboundEmail_messageId_key" ON "OutboundEmail"("messageId");

-- CreateIndex
CREATE INDEX "OutboundEmail_caseReference_idx" ON "OutboundEmail"("caseReference");

-- CreateIndex
CREATE UNIQUE INDEX "CaseRequest_reference_key" ON "CaseRequest"("reference");

-- CaseEvent is an append-only audit trail: refuse any change or removal of a recorded event.
CREATE TRIGGER "CaseEvent_no_update" BEFORE UPDATE ON "CaseEvent"
BEGIN SELECT RAISE(ABORT, 'CaseEvent is append-only: record a new event instead of updating one'); END;
CREATE TRIGGER "CaseEvent_no_delete" BEFORE DELETE ON "CaseEvent"
BEGIN SELECT RAISE(ABORT, 'CaseEvent is append-only: events cannot be deleted'); END;
