// POST /telegram/webhook: Telegram's webhook mode. Only requests carrying the secret token we gave
// Telegram with setWebhook (X-Telegram-Bot-Api-Secret-Token) are let in.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { DeskError } from '../../errors.ts';
import { requireJsonBody, type ApiDeps } from '../server.ts';

const digest = (s: string) => createHash('sha256').update(s).digest();

export function registerTelegramWebhook(app: FastifyInstance, deps: ApiDeps): void {
  const secret = deps.config.telegram?.webhookSecret;
  if (!deps.telegram || !secret) return;
  const telegram = deps.telegram;
  app.post('/telegram/webhook', async (request, reply) => {
    const given = request.headers['x-telegram-bot-api-secret-token'];
    if (typeof given !== 'string' || !timingSafeEqual(digest(given), digest(secret))) {
      throw new DeskError('unauthenticated', 'telegram_secret_invalid', 'X-Telegram-Bot-Api-Secret-Token is missing or wrong');
    }
    const update = requireJsonBody(request.body);
    if (typeof update !== 'object' || update === null || typeof (update as { update_id?: unknown }).update_id !== 'number') {
      throw new DeskError('invalid', 'invalid_update', 'body must be a Telegram update with an update_id', { field: 'update_id' });
    }
    await telegram.handleUpdate(update as Parameters<typeof telegram.handleUpdate>[0]);
    return reply.status(200).send({ ok: true });
  });
}
