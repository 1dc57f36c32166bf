// POST /telegram/webhook: Telegram's webhook mode. Only requests carrying the secret token we gave
// Telegram with setWebhook (X-Telegram-Bot-Api-Secret-Token) are let in. The token is a header, so
// a request without it is refused before its body is even read.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { DeskError } from '../../errors.ts';
import { secretTokenMatches } from '../auth.ts';
import type { ApiDeps } from '../api-deps.ts';
import { parseJsonBody } from '../json-body.ts';

export function registerTelegramWebhook(app: FastifyInstance, deps: ApiDeps): void {
  const secret = deps.config.telegram?.webhookSecret;
  if (!deps.telegram || !secret) return;
  const telegram = deps.telegram;
  const onRequest = async (request: FastifyRequest) => {
    if (!secretTokenMatches(request.headers['x-telegram-bot-api-secret-token'], secret)) {
      throw new DeskError('unauthenticated', 'telegram_secret_invalid', 'X-Telegram-Bot-Api-Secret-Token is missing or wrong');
    }
  };
  app.post('/telegram/webhook', { onRequest }, async (request, reply) => {
    const update = parseJsonBody(request.rawBody);
    if (typeof update !== 'object' || update === null || typeof (update as { update_id?: unknown }).update_id !== 'number') {
      throw new DeskError('invalid', 'invalid_update', 'body must be a Telegram update with an update_id', { field: 'update_id' });
    }
    await telegram.handleUpdate(update as Parameters<typeof telegram.handleUpdate>[0]);
    return reply.status(200).send({ ok: true });
  });
}
