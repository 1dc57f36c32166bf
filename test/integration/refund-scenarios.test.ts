// The article's three scenarios (M21-M23) end to end through POST /v1/refund-requests, on the demo
// shop's own data, on PostgreSQL, with what was stored checked too.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO } from '../../src/demo/demo-shop.ts';
import { seedDemoShop } from '../../src/demo/seed-demo.ts';
import { api, requestRefund } from '../helpers/refunds.ts';
import { postgresUp } from '../helpers/services.ts';
import { startTestDesk, type TestDesk } from '../helpers/test-desk.ts';

// On PostgreSQL (production) and on PGlite (the embedded default), which run the same raw SQL.
describe.each([
  { store: 'postgres' as const, skip: !postgresUp },
  { store: 'pglite' as const, skip: false },
])('the three scenarios on the demo shop ($store)', ({ store, skip }) => {
  if (skip) return it.skip('needs PostgreSQL');
  let t: TestDesk;
  beforeAll(async () => {
    t = await startTestDesk({ store });
    await seedDemoShop(t.desk.db.prisma);
  });
  afterAll(() => t?.stop());
  const prisma = () => t.desk.db.prisma;

  it('M21: 12 minutes after purchase, "bought on impulse" → approved and refunded by the original route at once', async () => {
    const started = Date.now();
    const response = await requestRefund(t, {
      orderId: DEMO.orders.m21,
      buyerId: DEMO.buyers.buyer,
      reasonCode: 'changed_mind',
      reasonText: '冲动消费了',
      channel: 'shop',
      device: { id: 'd_demo_li_phone', ip: '203.0.113.7' },
    });
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(response.statusCode).toBe(201);
    const body = response.json();
    expect(body).toMatchObject({
      orderId: DEMO.orders.m21,
      status: 'refunded',
      outcome: 'approved',
      reasonCode: 'changed_mind',
      refund: { amountMinor: 9900, currency: 'CNY', status: 'succeeded' },
      policy: { id: 'course-default', version: 2 },
      handoff: null,
      appeal: null,
    });
    expect(body.refund.gatewayRef).toMatch(/^sbx_/);
    expect(body.explanation.zh).toContain('15分钟无理由退款');
    expect(body.rules.find((r: { id: string }) => r.id === 'window.unconditional')).toMatchObject({ result: 'pass' });

    // The money went back along the order's own payment, once.
    const calls = t.desk.sandbox!.calls.filter((c) => c.orderId === DEMO.orders.m21);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ transactionId: `tx_${DEMO.orders.m21}`, method: 'sandbox', amountMinor: 9900, totalMinor: 9900 });

    // Stored: the decision with its facts snapshot, the refund, the buyer's notice, the revocation.
    const decision = await prisma().decision.findFirstOrThrow({ where: { refundRequestId: body.id } });
    expect(decision).toMatchObject({
      actor: 'policy',
      outcome: 'approved',
      decidedBy: 'window.unconditional',
      policyId: 'course-default',
      policyVersion: 2,
    });
    expect((decision.facts as { order: { id: string } }).order.id).toBe(DEMO.orders.m21);
    expect(await prisma().handoff.count({ where: { refundRequestId: body.id } })).toBe(0);
    expect(
      await prisma().notification.findMany({ where: { recipientId: DEMO.buyers.buyer, data: { path: ['requestId'], equals: body.id } } }),
    ).toHaveLength(2);
    expect(await prisma().outboxMessage.findUnique({ where: { dedupeKey: `access.revoke:${body.refund.id}` } })).toMatchObject({
      topic: 'platform.callback',
    });
    expect(await prisma().fingerprint.count({ where: { refId: body.id, source: 'refund_request' } })).toBe(1);
    // Rows written by the hot path's SQL read back through Prisma at the right instant (UTC).
    const stored = await prisma().refundRequest.findUniqueOrThrow({ where: { id: body.id } });
    expect(Math.abs(stored.createdAt.getTime() - started)).toBeLessThan(10_000);
    expect(Math.abs(stored.closedAt!.getTime() - started)).toBeLessThan(10_000);
    const refund = await prisma().refund.findUniqueOrThrow({ where: { id: body.refund.id } });
    expect(Math.abs(refund.settledAt!.getTime() - started)).toBeLessThan(10_000);
  });

  it('M22: 2 hours after purchase, 20 % watched, "not what I expected" → refused with the article message, and a ticket for the human pool', async () => {
    const response = await requestRefund(t, {
      orderId: DEMO.orders.m22,
      buyerId: DEMO.buyers.buyer,
      reasonCode: 'unsatisfied',
      reasonText: '内容不符预期',
    });
    expect(response.statusCode).toBe(201);
    const body = response.json();
    // M22: the ticket opens with the refusal, so there is no appeal left to offer.
    expect(body).toMatchObject({
      status: 'rejected',
      outcome: 'rejected',
      refund: null,
      handoff: { kind: 'appeal', status: 'open' },
      appeal: null,
    });
    expect(body.explanation.zh).toBe('抱歉，由于您已观看超过10%的内容，暂不符合自助退款条件，如需帮助，可联系人工客服。');
    expect(body.rules.find((r: { id: string }) => r.id === 'condition.course_progress_at_most')).toMatchObject({
      result: 'fail',
      detail: 'progress 20% > 10%',
    });
    expect(t.desk.sandbox!.calls.filter((c) => c.orderId === DEMO.orders.m22)).toHaveLength(0);
    expect(await prisma().handoff.findFirstOrThrow({ where: { refundRequestId: body.id } })).toMatchObject({
      kind: 'appeal',
      status: 'open',
      orderId: DEMO.orders.m22,
    });
  });

  it('M23: 3 days after purchase, "the video won\'t play" → troubleshooting first, no refund', async () => {
    const response = await requestRefund(t, {
      orderId: DEMO.orders.m23,
      buyerId: DEMO.buyers.buyer,
      reasonCode: 'cannot_use',
      reasonText: '视频播放不了',
    });
    const body = response.json();
    expect(body).toMatchObject({ status: 'troubleshooting', outcome: 'troubleshoot', refund: null, handoff: null });
    expect(body.explanation.zh).toContain('排障指南');
    expect(await prisma().refund.count({ where: { orderId: DEMO.orders.m23 } })).toBe(0);

    // The guide did not help and the buyer asks again: the policy now decides (3 days: expired), and
    // offers the appeal (M3) without opening a ticket.
    const again = await requestRefund(t, { orderId: DEMO.orders.m23, buyerId: DEMO.buyers.buyer, reasonCode: 'cannot_use' });
    expect(again.json()).toMatchObject({
      status: 'rejected',
      handoff: null,
      appeal: { href: `/v1/refund-requests/${again.json().id}/appeal`, method: 'POST' },
    });
    expect(await prisma().handoff.count({ where: { refundRequestId: again.json().id } })).toBe(0);
    expect(again.json().rules.find((r: { id: string }) => r.id === 'reason.troubleshoot').detail).toBe(
      'troubleshooting already tried for this order',
    );
    expect((await api(t, 'GET', `/v1/refund-requests/${body.id}`)).json().status).toBe('cancelled');
  });

  it('English buyer, key copied inside 15 minutes → self-service closed (lock), a person looks at once', async () => {
    const response = await requestRefund(t, { orderId: DEMO.orders.keyCopied, buyerId: DEMO.buyers.buyerEn, reasonCode: 'changed_mind' });
    expect(response.json()).toMatchObject({ status: 'rejected', handoff: { kind: 'appeal', status: 'open' }, appeal: null });
    expect(response.json().explanation.en).toContain('copied the licence key');
  });

  it('shows the product policy in plain words (M7)', async () => {
    const zh = await api(t, 'GET', `/v1/products/${DEMO.products.course}/refund-policy?lang=zh`);
    expect(zh.statusCode).toBe(200);
    expect(zh.json().policy).toEqual({ id: 'course-default', version: 2 });
    expect(zh.json().text).toContain('退款规则（《PPT大师进阶课》，课程类）');
    const en = await api(t, 'GET', `/v1/products/${DEMO.products.softwareKey}/refund-policy?lang=en`);
    expect(en.json().text).toContain('copied the licence key or activated the licence key');
    expect((await api(t, 'GET', '/v1/products/p_nope/refund-policy')).statusCode).toBe(404);
    expect((await api(t, 'GET', `/v1/products/${DEMO.products.course}/refund-policy?lang=fr`)).statusCode).toBe(400);
  });

  it('lists what the buyer was told', async () => {
    const response = await api(t, 'GET', `/v1/notifications?recipientId=${DEMO.buyers.buyer}`);
    const kinds = response.json().notifications.map((n: { kind: string }) => n.kind);
    expect(kinds).toEqual(expect.arrayContaining(['refund.decided', 'refund.succeeded']));
    expect((await api(t, 'GET', '/v1/notifications')).statusCode).toBe(400);
  });
});
