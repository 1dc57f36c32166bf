-- AlterTable
ALTER TABLE "outbox_messages" ADD COLUMN     "orderingKey" TEXT;

-- CreateIndex
CREATE INDEX "outbox_messages_orderingKey_status_id_idx" ON "outbox_messages"("orderingKey", "status", "id");
