-- AlterTable
ALTER TABLE "OutboundEmail" ADD COLUMN     "sendingUntil" TIMESTAMP(3);
