-- AlterTable
ALTER TABLE "orders" ADD COLUMN     "paymentTotalMinor" INTEGER;

-- AlterTable
ALTER TABLE "refunds" ADD COLUMN     "submittedAt" TIMESTAMP(3);

-- CreateTable
CREATE TABLE "payment_notices" (
    "id" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "eventType" TEXT NOT NULL,
    "refundId" TEXT,
    "providerRefundId" TEXT,
    "status" TEXT NOT NULL,
    "alert" TEXT,
    "receivedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "payment_notices_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "payment_notices_receivedAt_idx" ON "payment_notices"("receivedAt");

-- CreateIndex
CREATE INDEX "payment_notices_providerRefundId_idx" ON "payment_notices"("providerRefundId");

-- CreateIndex
CREATE INDEX "refunds_gatewayRef_idx" ON "refunds"("gatewayRef");
