// Read models for the shop (API.md "Read models"): a product's refund policy in plain words, what a
// buyer, team leader or merchant has been told, and a merchant's refund report.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { LOCALES } from '../../domain/index.ts';
import { commissionAccount } from '../../commission/index.ts';
import { merchantReport } from '../../digests/index.ts';
import { notFound } from '../../errors.ts';
import { renderPolicy } from '../../policy/index.ts';
import { resolvePolicy } from '../../refunds/index.ts';
import { parseOrThrow } from '../../validation.ts';
import type { ApiDeps } from '../api-deps.ts';

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

const merchantParams = z.strictObject({ id: z.string().min(1).max(128) });
const MAX_REPORT_DAYS = 366;
const instant = z
  .union([z.iso.datetime({ offset: true }), z.iso.date()])
  .transform((v) => new Date(v.length === 10 ? `${v}T00:00:00Z` : v));
const reportQuery = z
  .strictObject({ from: instant, to: instant })
  .refine((q) => q.from < q.to, { message: 'from must be before to', path: ['from'] })
  .refine((q) => q.to.getTime() - q.from.getTime() <= MAX_REPORT_DAYS * 86_400_000, {
    message: `a report covers at most ${MAX_REPORT_DAYS} days`,
    path: ['to'],
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

  // M27: the merchant's refund figures for [from, to), with the period before it for comparison.
  app.get('/v1/merchants/:id/report', async (request) => {
    const { id } = parseOrThrow(merchantParams, request.params, 'id');
    const { from, to } = parseOrThrow(reportQuery, request.query, 'query');
    if (!(await deps.db.prisma.merchant.findUnique({ where: { id }, select: { id: true } })))
      throw notFound('merchant_not_found', `Merchant ${id} is not known to the desk`);
    return merchantReport(deps.db.prisma, id, from, to);
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
