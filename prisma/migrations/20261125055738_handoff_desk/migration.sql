-- AlterTable
ALTER TABLE "handoffs" ADD COLUMN     "escalatedAt" TIMESTAMP(3),
ADD COLUMN     "remindedAt" TIMESTAMP(3),
ADD COLUMN     "resolution" TEXT,
ADD COLUMN     "slackClaimedAt" TIMESTAMP(3);

-- CreateIndex
CREATE INDEX "handoffs_slackTs_idx" ON "handoffs"("slackTs");
