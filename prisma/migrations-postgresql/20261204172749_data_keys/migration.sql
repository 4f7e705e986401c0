-- CreateTable
CREATE TABLE "DataKey" (
    "id" TEXT NOT NULL,
    "scope" TEXT NOT NULL,
    "wrappedKey" BYTEA,
    "kekId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "shreddedAt" TIMESTAMP(3),
    "shreddedBy" TEXT,
    "shredReason" TEXT,

    CONSTRAINT "DataKey_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "DataKey_scope_key" ON "DataKey"("scope");
