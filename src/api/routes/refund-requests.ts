// Refund requests (API.md): the shop's "申请退款" button and any other self-service entry.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { appealBodySchema, cancelBodySchema, refundRequestBodySchema } from '../../refunds/index.ts';
import { parseOrThrow } from '../../validation.ts';
import type { ApiDeps } from '../api-deps.ts';
import { requireJsonBody } from '../json-body.ts';

const params = z.strictObject({ id: z.string().regex(/^rr_[0-9a-z]{1,60}$/, 'must be a refund request id (rr_…)') });

export function registerRefundRequestRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.post('/v1/refund-requests', async (request, reply) => {
    const body = parseOrThrow(refundRequestBodySchema, requireJsonBody(request.body));
    const result = await deps.refunds.request(body);
    return reply.status(result.created ? 201 : 200).send(result.view);
  });

  app.get('/v1/refund-requests/:id', async (request) => {
    const { id } = parseOrThrow(params, request.params, 'id');
    return deps.refunds.view(id);
  });

  app.post('/v1/refund-requests/:id/cancel', async (request) => {
    const { id } = parseOrThrow(params, request.params, 'id');
    const body = parseOrThrow(cancelBodySchema, request.body === undefined ? undefined : requireJsonBody(request.body));
    return deps.refunds.cancel(id, body?.buyerId);
  });

  // M3: the buyer takes the appeal a refusal offers (the view's `appeal` link); once per request.
  app.post('/v1/refund-requests/:id/appeal', async (request) => {
    const { id } = parseOrThrow(params, request.params, 'id');
    const body = parseOrThrow(appealBodySchema, request.body === undefined ? undefined : requireJsonBody(request.body));
    return deps.refunds.appeal(id, body?.buyerId, body?.text);
  });
}
