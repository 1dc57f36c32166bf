-- DropIndex
DROP INDEX "messages_conversationId_createdAt_idx";

-- CreateIndex
CREATE INDEX "messages_conversationId_id_idx" ON "messages"("conversationId", "id");
