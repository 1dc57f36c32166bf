-- AlterTable
ALTER TABLE "risk_signals" ADD COLUMN     "dedupeKey" TEXT;

-- CreateIndex
CREATE INDEX "buyers_phone_idx" ON "buyers"("phone");

-- CreateIndex
CREATE INDEX "refund_requests_createdAt_idx" ON "refund_requests"("createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "risk_signals_dedupeKey_key" ON "risk_signals"("dedupeKey");

-- CreateIndex
CREATE INDEX "risk_signals_kind_createdAt_idx" ON "risk_signals"("kind", "createdAt");
