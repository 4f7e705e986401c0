-- CreateTable
CREATE TABLE "DataKey" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "scope" TEXT NOT NULL,
    "wrappedKey" BLOB,
    "kekId" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "shreddedAt" DATETIME,
    "shreddedBy" TEXT,
    "shredReason" TEXT
);

-- CreateIndex
CREATE UNIQUE INDEX "DataKey_scope_key" ON "DataKey"("scope");
