// Read models for the shop (API.md "Read models"): a product's refund policy in plain words, and
// what a buyer, team leader or merchant has been told.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { LOCALES } from '../../domain/catalog.ts';
import { commissionAccount } from '../../commission/commission-account.ts';
import { notFound } from '../../errors.ts';
import { renderPolicy } from '../../policy/index.ts';
import { resolvePolicy } from '../../refunds/policy-resolver.ts';
import { parseOrThrow } from '../../validation.ts';
import type { ApiDeps } from '../server.ts';

const productParams = z.strictObject({ id: z.string().min(1).max(128) });
const policyQuery = z.strictObject({ lang: z.enum(LOCALES).default('zh') });
const notificationsQuery = z.strictObject({
  recipientId: z.string().min(1, 'is required').max(128),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

const commissionsQuery = z.strictObject({
  beneficiaryId: z.string().min(1, 'is required').max(128),
  limit: z.coerce.number().int().min(1).max(1_000).default(200),
});

export function registerReadModelRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.get('/v1/commissions', async (request) => {
    const { beneficiaryId, limit } = parseOrThrow(commissionsQuery, request.query, 'query');
    return commissionAccount(deps.db.prisma, beneficiaryId, limit);
  });

  app.get('/v1/products/:id/refund-policy', async (request) => {
    const { id } = parseOrThrow(productParams, request.params, 'id');
    const { lang } = parseOrThrow(policyQuery, request.query, 'query');
    const product = await deps.db.prisma.product.findUnique({ where: { id } });
    if (!product) throw notFound('product_not_found', `Product ${id} is not known to the desk`);
    const policy = await resolvePolicy(deps.db.prisma, product);
    return renderPolicy(policy, lang, product.title);
  });

  app.get('/v1/notifications', async (request) => {
    const { recipientId, limit } = parseOrThrow(notificationsQuery, request.query, 'query');
    const rows = await deps.db.prisma.notification.findMany({ where: { recipientId }, orderBy: { createdAt: 'desc' }, take: limit });
    return {
      recipientId,
      notifications: rows.map((n) => ({
        id: n.id,
        kind: n.kind,
        locale: n.locale,
        title: n.title,
        body: n.body,
        data: n.data,
        createdAt: n.createdAt.toISOString(),
        readAt: n.readAt?.toISOString() ?? null,
      })),
    };
  });
}
