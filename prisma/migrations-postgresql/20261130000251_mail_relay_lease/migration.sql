-- AlterTable
ALTER TABLE "OutboundEmail" DROP COLUMN "sendingUntil";

-- CreateTable
CREATE TABLE "MailRelayLease" (
    "id" TEXT NOT NULL,
    "holder" TEXT NOT NULL,
    "until" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "MailRelayLease_pkey" PRIMARY KEY ("id")
);
