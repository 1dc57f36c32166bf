// POST /v1/events on PostgreSQL, through the real fastify routing, parsing and error handling.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buyer, event, iso, merchant, orderPaid, product, shopFixture, uid, usage } from '../helpers/events.ts';
import { postgresUp } from '../helpers/services.ts';
import { signBody } from '../../src/api/auth.ts';
import { startTestDesk, TEST_SECRETS, type TestDesk } from '../helpers/test-desk.ts';

describe.skipIf(!postgresUp)('platform events (PostgreSQL)', () => {
  let t: TestDesk;
  beforeAll(async () => {
    t = await startTestDesk({ store: 'postgres' });
  });
  afterAll(() => t?.stop());

  const prisma = () => t.desk.db.prisma;

  async function seedShop() {
    const shop = shopFixture();
    for (const e of shop.events) expect((await t.postEvent(e)).statusCode).toBe(200);
    return shop.ids;
  }

  it('stores all six event types', async () => {
    const ids = await seedShop();
    const order = uid('o');
    const paid = orderPaid(order, ids.buyer, ids.product, {
      commissions: [
        { beneficiaryId: ids.member, level: 1, amountMinor: 990 },
        { beneficiaryId: ids.leader, level: 2, amountMinor: 495 },
      ],
    });
    expect((await t.postEvent(paid)).json()).toEqual({ id: paid.id, status: 'applied' });
    expect((await t.postEvent(usage(order, 'course.progress', { value: 0.2 }))).statusCode).toBe(200);
    expect((await t.postEvent(usage(order, 'key.copied'))).statusCode).toBe(200);
    const payout = event('commission.paid', { orderId: order, beneficiaryId: ids.member, amountMinor: 990, at: iso() });
    expect((await t.postEvent(payout)).statusCode).toBe(200);

    expect(await prisma().merchant.findUnique({ where: { id: ids.merchant } })).toMatchObject({ name: 'Test shop', locale: 'zh' });
    expect(await prisma().product.findUnique({ where: { id: ids.product } })).toMatchObject({ category: 'course', priceMinor: 9900 });
    expect(await prisma().buyer.findUnique({ where: { id: ids.buyer } })).toMatchObject({ uplineId: ids.member });
    expect(await prisma().order.findUnique({ where: { id: order } })).toMatchObject({
      amountMinor: 9900,
      currency: 'CNY',
      paymentMethod: 'sandbox',
      deviceId: 'd_1',
      ip: '203.0.113.7',
    });
    const usageRows = await prisma().usageEvent.findMany({ where: { orderId: order }, orderBy: { kind: 'asc' } });
    expect(usageRows.map((u) => [u.kind, u.value])).toEqual([
      ['course_progress', 0.2],
      ['key_copied', null],
    ]);
    const entries = await prisma().commissionEntry.findMany({ where: { orderId: order }, orderBy: { createdAt: 'asc' } });
    expect(entries.map((e) => [e.beneficiaryId, e.kind, e.amountMinor, e.balanceDeltaMinor])).toEqual(
      expect.arrayContaining([
        [ids.member, 'accrued', 990, 990],
        [ids.leader, 'accrued', 495, 495],
        [ids.member, 'paid', 990, -990],
      ]),
    );
    expect(await prisma().fingerprint.count({ where: { refId: order, source: 'order' } })).toBe(1);
    expect(await prisma().platformEvent.count({ where: { id: { in: [paid.id, payout.id] } } })).toBe(2);
  });

  it('refuses a wrong or missing signature with 401 and stores nothing', async () => {
    const m = merchant();
    const wrong = await t.postEvent(m, { secret: 'not-the-right-secret-at-all' });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().error.code).toBe('signature_invalid');
    const missing = await t.desk.server.inject({
      method: 'POST',
      url: '/v1/events',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify(m),
    });
    expect(missing.statusCode).toBe(401);
    expect(await prisma().platformEvent.count({ where: { id: m.id } })).toBe(0);
    expect(await prisma().merchant.count({ where: { id: m.data.id as string } })).toBe(0);
  });

  it('applies the same event posted 20 times at once exactly once', async () => {
    const ids = await seedShop();
    const order = uid('o');
    const paid = orderPaid(order, ids.buyer, ids.product, { commissions: [{ beneficiaryId: ids.member, level: 1, amountMinor: 990 }] });
    const responses = await Promise.all(Array.from({ length: 20 }, () => t.postEvent(paid)));
    expect(responses.map((r) => r.statusCode)).toEqual(Array(20).fill(200));
    const statuses = responses.map((r) => r.json().status);
    expect(statuses.filter((s) => s === 'applied')).toHaveLength(1);
    expect(statuses.filter((s) => s === 'duplicate')).toHaveLength(19);
    expect(await prisma().order.count({ where: { id: order } })).toBe(1);
    expect(await prisma().commissionEntry.count({ where: { orderId: order } })).toBe(1);
    expect(await prisma().fingerprint.count({ where: { refId: order } })).toBe(1);
  });

  it('applies a usage event posted twice once (no double-counted usage)', async () => {
    const ids = await seedShop();
    const order = uid('o');
    await t.postEvent(orderPaid(order, ids.buyer, ids.product));
    const e = usage(order, 'file.downloaded');
    expect((await t.postEvent(e)).json().status).toBe('applied');
    expect((await t.postEvent(e)).json().status).toBe('duplicate');
    expect(await prisma().usageEvent.count({ where: { orderId: order } })).toBe(1);
  });

  it('answers a malformed body with 400 naming the field, and stores nothing', async () => {
    const ids = await seedShop();
    const bad = orderPaid(uid('o'), ids.buyer, ids.product, { amountMinor: '99.00' });
    const response = await t.postEvent(bad);
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toMatchObject({ code: 'invalid_input', field: 'data.amountMinor' });
    expect(await prisma().platformEvent.count({ where: { id: bad.id } })).toBe(0);

    const noType = await t.postEvent({ id: uid('evt'), occurredAt: iso(), data: {} });
    expect(noType.json().error.field).toBe('type');
    const unknownType = await t.postEvent({ id: uid('evt'), type: 'order.shipped', occurredAt: iso(), data: {} });
    expect(unknownType.statusCode).toBe(400);
    expect(unknownType.json().error.field).toBe('type');
    const notJson = await t.postEvent('{"id": "evt_1", ');
    expect(notJson.statusCode).toBe(400);
    expect(notJson.json().error.code).toBe('invalid_json');
    const wrongShape = await t.postEvent(JSON.stringify([1, 2, 3]));
    expect(wrongShape.statusCode).toBe(400);
  });

  it('answers a 2 MB body with 413', async () => {
    const huge = merchant(uid('m'), { name: 'x'.repeat(2 * 1024 * 1024) });
    const response = await t.postEvent(huge);
    expect(response.statusCode).toBe(413);
    expect(response.json().error.code).toBe('body_too_large');
  });

  it('answers 415 for a body that is not JSON (and 401 first when it carries no signature at all)', async () => {
    const signed = { 'content-type': 'text/plain', 'x-signature': signBody('hello', TEST_SECRETS.PLATFORM_WEBHOOK_SECRET) };
    const response = await t.desk.server.inject({ method: 'POST', url: '/v1/events', headers: signed, payload: 'hello' });
    expect(response.statusCode).toBe(415);
    const unsigned = await t.desk.server.inject({
      method: 'POST',
      url: '/v1/events',
      headers: { 'content-type': 'text/plain' },
      payload: 'hello',
    });
    expect(unsigned.statusCode).toBe(401);
  });

  it('answers 422 for an event naming what the desk has not received yet, then applies it on retry', async () => {
    const m = uid('m');
    const p = product(uid('p'), m);
    const early = await t.postEvent(p);
    expect(early.statusCode).toBe(422);
    expect(early.json().error).toMatchObject({ code: 'unknown_reference', field: 'data.merchantId', retryable: true });
    expect(await prisma().platformEvent.count({ where: { id: p.id } })).toBe(0);
    await t.postEvent(merchant(m));
    expect((await t.postEvent(p)).json().status).toBe('applied');
  });

  it('updates merchants, products and buyers on a later upsert', async () => {
    const ids = await seedShop();
    await t.postEvent(product(ids.product, ids.merchant, { priceMinor: 12900, title: 'New title' }));
    await t.postEvent(buyer(ids.buyer, { locale: 'en' }));
    expect(await prisma().product.findUnique({ where: { id: ids.product } })).toMatchObject({ priceMinor: 12900, title: 'New title' });
    expect((await prisma().buyer.findUnique({ where: { id: ids.buyer } }))?.locale).toBe('en');
  });

  it('keeps the first order.paid for an order id re-sent under another event id', async () => {
    const ids = await seedShop();
    const order = uid('o');
    await t.postEvent(orderPaid(order, ids.buyer, ids.product));
    const resend = orderPaid(order, ids.buyer, ids.product, { amountMinor: 1 });
    expect((await t.postEvent(resend)).json().status).toBe('applied');
    expect((await prisma().order.findUnique({ where: { id: order } }))?.amountMinor).toBe(9900);
  });

  it('refuses a payout larger than the commission', async () => {
    const ids = await seedShop();
    const order = uid('o');
    await t.postEvent(
      orderPaid(order, ids.buyer, ids.product, { commissions: [{ beneficiaryId: ids.member, level: 1, amountMinor: 990 }] }),
    );
    const response = await t.postEvent(
      event('commission.paid', { orderId: order, beneficiaryId: ids.member, amountMinor: 5000, at: iso() }),
    );
    expect(response.statusCode).toBe(400);
    expect(response.json().error.field).toBe('data.amountMinor');
  });

  it('counts events in /metrics', async () => {
    const text = (await t.desk.server.inject({ method: 'GET', url: '/metrics' })).body;
    expect(text).toMatch(/refund_desk_platform_events_total\{type="order.paid",result="duplicate"\} 19/);
  });
});
