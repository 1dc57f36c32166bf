-- AlterTable: the product of each refund request, filled from its order, then required.
ALTER TABLE "refund_requests" ADD COLUMN     "productId" TEXT;
UPDATE "refund_requests" rr SET "productId" = o."productId" FROM "orders" o WHERE o."id" = rr."orderId";
ALTER TABLE "refund_requests" ALTER COLUMN "productId" SET NOT NULL;

-- CreateIndex
CREATE INDEX "refund_requests_productId_createdAt_idx" ON "refund_requests"("productId", "createdAt");

-- CreateIndex
CREATE INDEX "refunds_refundRequestId_idx" ON "refunds"("refundRequestId");
