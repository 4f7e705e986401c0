-- AlterTable
ALTER TABLE "OutboundEmail" ADD COLUMN "sendingUntil" DATETIME;
