// POST /v1/buyers/{id}/chat-tokens (API.md "Chat identity"): the shop gets a token for a signed-in
// buyer, to open the widget or bind a Telegram chat as that buyer.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { notFound } from '../../errors.ts';
import { parseOrThrow } from '../../validation.ts';
import type { ApiDeps } from '../api-deps.ts';

const params = z.strictObject({ id: z.string().min(1).max(128) });

export function registerChatTokenRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.post('/v1/buyers/:id/chat-tokens', async (request, reply) => {
    const { id } = parseOrThrow(params, request.params, 'id');
    if (!(await deps.db.prisma.buyer.findUnique({ where: { id }, select: { id: true } })))
      throw notFound('buyer_not_found', `Buyer ${id} is not known to the desk`);
    const { token, expiresAt } = await deps.chatTokens.issue(id);
    const bot = deps.config.telegramBotUsername;
    return reply.status(201).send({
      token,
      expiresAt: expiresAt.toISOString(),
      telegramStartLink: bot ? `https://t.me/${bot}?start=${token}` : null,
    });
  });
}
