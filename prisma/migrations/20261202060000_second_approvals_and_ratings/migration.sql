-- CreateTable
CREATE TABLE "second_approvals" (
    "id" TEXT NOT NULL,
    "refundRequestId" TEXT NOT NULL,
    "handoffId" TEXT NOT NULL,
    "awaitingKey" TEXT,
    "status" TEXT NOT NULL,
    "amountMinor" INTEGER NOT NULL,
    "currency" TEXT NOT NULL,
    "firstAgentId" TEXT NOT NULL,
    "firstAgentName" TEXT,
    "secondAgentId" TEXT,
    "secondAgentName" TEXT,
    "rejection" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "decidedAt" TIMESTAMP(3),
    "remindedAt" TIMESTAMP(3),

    CONSTRAINT "second_approvals_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "satisfaction_ratings" (
    "id" TEXT NOT NULL,
    "caseKey" TEXT NOT NULL,
    "buyerId" TEXT NOT NULL,
    "merchantId" TEXT,
    "refundRequestId" TEXT,
    "handoffId" TEXT,
    "outcome" TEXT NOT NULL,
    "handledBy" TEXT NOT NULL,
    "agentId" TEXT,
    "channel" TEXT,
    "locale" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "score" INTEGER,
    "comment" TEXT,
    "askedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "ratedAt" TIMESTAMP(3),

    CONSTRAINT "satisfaction_ratings_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "second_approvals_awaitingKey_key" ON "second_approvals"("awaitingKey");

-- CreateIndex
CREATE INDEX "second_approvals_refundRequestId_idx" ON "second_approvals"("refundRequestId");

-- CreateIndex
CREATE INDEX "second_approvals_status_createdAt_idx" ON "second_approvals"("status", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "satisfaction_ratings_caseKey_key" ON "satisfaction_ratings"("caseKey");

-- CreateIndex
CREATE INDEX "satisfaction_ratings_merchantId_askedAt_idx" ON "satisfaction_ratings"("merchantId", "askedAt");

-- CreateIndex
CREATE INDEX "satisfaction_ratings_agentId_idx" ON "satisfaction_ratings"("agentId");

-- CreateIndex
CREATE INDEX "satisfaction_ratings_buyerId_status_idx" ON "satisfaction_ratings"("buyerId", "status");
