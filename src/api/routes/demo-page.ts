// The demo shop's pages, on when the demo shop is seeded (the embedded default): GET / leads to the
// course page, which shows the refund policy and the chat widget as a demo buyer; POST
// /demo/fresh-orders places a new set of scenario orders, since the seeded ones age. They issue chat
// tokens for the demo buyers only, and place orders without credentials, so they are never on in
// production, whatever the flags say (the configuration refuses DEMO_SEED=on there too).
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { STATUS_WORDS } from '../../conversation/index.ts';
import { DEMO } from '../../demo/index.ts';
import { renderDemoPage } from '../../demo/index.ts';
import { addFreshScenarioOrders } from '../../demo/index.ts';
import { notFound } from '../../errors.ts';
import { renderPolicy } from '../../policy/index.ts';
import { resolvePolicy } from '../../refunds/index.ts';
import { parseOrThrow } from '../../validation.ts';
import type { ApiDeps } from '../api-deps.ts';

/** The two demo buyers one can be: 李小明 writes Chinese, Alice English. */
const AS = { li: DEMO.buyers.buyer, alice: DEMO.buyers.buyerEn } as const;
const query = z.object({ as: z.enum(['li', 'alice']).default('li') });
const params = z.object({ id: z.string().min(1).max(128) });

export function registerDemoPages(app: FastifyInstance, deps: ApiDeps): void {
  if (!deps.config.seedDemo || deps.config.env === 'production') return;
  const prisma = deps.db.prisma;

  app.get('/', async (_request, reply) => reply.redirect(`/demo/products/${DEMO.products.course}`));

  app.get('/demo/products/:id', async (request, reply) => {
    const { id } = parseOrThrow(params, request.params, 'id');
    const { as } = parseOrThrow(query, request.query, 'as');
    const product = await prisma.product.findUnique({ where: { id } });
    const buyer = await prisma.buyer.findUnique({ where: { id: AS[as] } });
    if (!product || !buyer) throw notFound('demo_not_seeded', 'The demo shop is not seeded here (npm run desk -- seed-demo)');
    const locale = as === 'alice' ? 'en' : 'zh';
    const orders = await prisma.order.findMany({
      where: { buyerId: buyer.id, productId: product.id },
      orderBy: { paidAt: 'desc' },
      take: 6,
      include: { refundRequests: { orderBy: { createdAt: 'desc' }, take: 1, select: { status: true } } },
    });
    const other = as === 'li' ? 'alice' : 'li';
    const otherBuyer = await prisma.buyer.findUnique({ where: { id: AS[other] }, select: { name: true } });
    const { token } = await deps.chatTokens.issue(buyer.id);
    const html = renderDemoPage({
      locale,
      product,
      policy: renderPolicy(await resolvePolicy(prisma, product), locale, product.title),
      buyer: { id: buyer.id, name: buyer.name ?? buyer.id },
      other: { as: other, name: otherBuyer?.name ?? other },
      orders: orders.map((o) => {
        const status = o.refundRequests[0]?.status;
        return { id: o.id, paidAt: o.paidAt, status: status ? (STATUS_WORDS[status]?.[locale] ?? status) : null };
      }),
      chatToken: token,
    });
    // Every load carries a new single-use chat token: never cache the page.
    return reply.header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-store').send(html);
  });

  app.post('/demo/fresh-orders', async (_request, reply) => {
    const fresh = await addFreshScenarioOrders(prisma);
    return reply.status(201).send(fresh);
  });
}
