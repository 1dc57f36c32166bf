-- AlterTable
ALTER TABLE "refunds" ADD COLUMN     "escalatedAt" TIMESTAMP(3);
