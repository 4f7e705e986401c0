-- AlterTable
ALTER TABLE "Case" ADD COLUMN     "confirmedRunId" TEXT,
ADD COLUMN     "view" JSONB,
ADD COLUMN     "viewVersion" INTEGER NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "CaseEvent" ADD COLUMN     "summary" TEXT;

-- CreateTable
CREATE TABLE "CaseRepair" (
    "id" SERIAL NOT NULL,
    "reference" TEXT NOT NULL,
    "workflowId" TEXT NOT NULL,
    "failedRunId" TEXT NOT NULL,
    "newRunId" TEXT,
    "resetEventId" INTEGER NOT NULL,
    "failure" TEXT NOT NULL,
    "updates" JSONB NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "by" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "completedAt" TIMESTAMP(3),

    CONSTRAINT "CaseRepair_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "CaseRepair_reference_idx" ON "CaseRepair"("reference");

-- CreateIndex
CREATE UNIQUE INDEX "CaseRepair_workflowId_failedRunId_key" ON "CaseRepair"("workflowId", "failedRunId");
