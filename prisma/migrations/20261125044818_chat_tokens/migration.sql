-- DropTable
DROP TABLE "chat_token_uses";

-- CreateTable
CREATE TABLE "chat_tokens" (
    "id" TEXT NOT NULL,
    "buyerId" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "issuedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "channel" TEXT,
    "chatId" TEXT,
    "usedAt" TIMESTAMP(3),

    CONSTRAINT "chat_tokens_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "chat_tokens_buyerId_idx" ON "chat_tokens"("buyerId");
