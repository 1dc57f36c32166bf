-- AlterTable
ALTER TABLE "refund_policies" DROP CONSTRAINT "refund_policies_pkey",
ADD CONSTRAINT "refund_policies_pkey" PRIMARY KEY ("id", "version");

-- AlterTable
ALTER TABLE "decisions" ADD COLUMN     "decidedBy" TEXT;
