-- AlterTable
ALTER TABLE "refund_policies" ADD COLUMN     "merchantId" TEXT;

-- CreateIndex
CREATE INDEX "refund_policies_merchantId_idx" ON "refund_policies"("merchantId");

-- CreateIndex
CREATE INDEX "decisions_createdAt_id_idx" ON "decisions"("createdAt", "id");
