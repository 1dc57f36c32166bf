// POST /v1/events: the platform's signed, at-least-once event feed (API.md "Events").
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { DeskError } from '../../errors.ts';
import { applyPlatformEvent } from '../../events/index.ts';
import { platformEventSchema } from '../../events/index.ts';
import { parseOrThrow } from '../../validation.ts';
import { requireSignatureHeader, verifySignature } from '../auth.ts';
import type { ApiDeps } from '../api-deps.ts';
import { parseJsonBody } from '../json-body.ts';

export function registerEventRoutes(app: FastifyInstance, deps: ApiDeps): void {
  // No X-Signature at all: refused before the body is read. Then the HMAC is checked on the exact
  // bytes, and only a signed body is parsed.
  const onRequest = async (request: FastifyRequest) => void requireSignatureHeader(request.headers['x-signature']);
  app.post('/v1/events', { onRequest }, async (request, reply) => {
    verifySignature(request.rawBody, request.headers['x-signature'], deps.config.platform.webhookSecret);
    const body = parseJsonBody(request.rawBody);
    let event;
    try {
      event = parseOrThrow(platformEventSchema, body);
    } catch (error) {
      const type = typeof (body as { type?: unknown })?.type === 'string' ? String((body as { type: string }).type) : 'unknown';
      deps.metrics.eventsReceived.inc({ type: type.slice(0, 40), result: 'rejected' });
      throw error;
    }
    try {
      const result = await applyPlatformEvent(deps.db.prisma, event);
      deps.metrics.eventsReceived.inc({ type: event.type, result: result.status });
      request.log.info({ eventId: event.id, type: event.type, status: result.status }, 'platform event');
      return reply.status(200).send({ id: event.id, status: result.status });
    } catch (error) {
      if (error instanceof DeskError) deps.metrics.eventsReceived.inc({ type: event.type, result: 'rejected' });
      throw error;
    }
  });
}
