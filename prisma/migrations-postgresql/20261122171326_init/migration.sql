-- CreateTable
CREATE TABLE "Case" (
    "id" TEXT NOT NULL,
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
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Case_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CaseEvent" (
    "id" SERIAL NOT NULL,
    "caseId" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "idempotencyKey" TEXT NOT NULL,

    CONSTRAINT "CaseEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "OutboundEmail" (
    "id" SERIAL NOT NULL,
    "idempotencyKey" TEXT NOT NULL,
    "messageId" TEXT NOT NULL,
    "toAddress" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "textBody" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lastError" TEXT,
    "caseReference" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sentAt" TIMESTAMP(3),

    CONSTRAINT "OutboundEmail_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CaseRequest" (
    "idempotencyKey" TEXT NOT NULL,
    "reference" TEXT NOT NULL,
    "bodyHash" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "CaseRequest_pkey" PRIMARY KEY ("idempotencyKey")
);

-- CreateTable
CREATE TABLE "ReferenceCounter" (
    "year" INTEGER NOT NULL,
    "last" INTEGER NOT NULL,

    CONSTRAINT "ReferenceCounter_pkey" PRIMARY KEY ("year")
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

-- AddForeignKey
ALTER TABLE "CaseEvent" ADD CONSTRAINT "CaseEvent_caseId_fkey" FOREIGN KEY ("caseId") REFERENCES "Case"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- CaseEvent is an append-only audit trail: refuse any change or removal of a recorded event.
-- (PostgreSQL translation of the SQLite triggers: one function raising the message each trigger names.)
CREATE FUNCTION "parcours_refuse_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '%', TG_ARGV[0] USING ERRCODE = 'restrict_violation';
END;
$$;
CREATE TRIGGER "CaseEvent_no_update" BEFORE UPDATE ON "CaseEvent"
FOR EACH ROW EXECUTE FUNCTION "parcours_refuse_change"('CaseEvent is append-only: record a new event instead of updating one');
CREATE TRIGGER "CaseEvent_no_delete" BEFORE DELETE ON "CaseEvent"
FOR EACH ROW EXECUTE FUNCTION "parcours_refuse_change"('CaseEvent is append-only: events cannot be deleted');
-- TRUNCATE skips row triggers in PostgreSQL (SQLite has no TRUNCATE: its DELETE fires them).
CREATE TRIGGER "CaseEvent_no_truncate" BEFORE TRUNCATE ON "CaseEvent"
FOR EACH STATEMENT EXECUTE FUNCTION "parcours_refuse_change"('CaseEvent is append-only: events cannot be deleted');
