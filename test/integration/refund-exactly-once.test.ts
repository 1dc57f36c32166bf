// Exactly one refund per order amount, whatever happens: concurrency, retries, hangs and crashes. The
// suite runs on the sandbox and on each real rail (WeChat Pay, Alipay, Stripe) against its local
// provider, so every adapter keeps the same promises.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDesk } from '../../src/desk.ts';
import { loadConfig } from '../../src/config.ts';
import { api, freshBuyer, newOrder, requestRefund, seedShop } from '../helpers/refunds.ts';
import { postgresUp } from '../helpers/services.ts';
import { startTestDesk, TEST_SECRETS, type TestDesk } from '../helpers/test-desk.ts';
import { alipayRail, sandboxRail, stripeRail, wechatRail, type RailDouble } from '../helpers/providers/rails.ts';

describe.skipIf(!postgresUp).each([
  { name: 'sandbox', make: sandboxRail },
  { name: 'WeChat Pay', make: wechatRail },
  { name: 'Alipay', make: alipayRail },
  { name: 'Stripe', make: stripeRail },
])('exactly-once refunds on $name (PostgreSQL)', ({ make }) => {
  let t: TestDesk;
  let shop: Awaited<ReturnType<typeof seedShop>>;
  let ids: Awaited<ReturnType<typeof seedShop>>;
  const rail: RailDouble & { start?: () => Promise<void> } = make();
  beforeAll(async () => {
    await rail.start?.();
    // A real rail is a signed HTTP call, so it gets room on a busy CI machine before "no answer" counts.
    t = await startTestDesk({ store: 'postgres', env: { GATEWAY_TIMEOUT_MS: rail.name === 'sandbox' ? '300' : '1000', ...rail.env() } });
    rail.attach(t);
    shop = await seedShop(t);
  });
  // Each test's buyer has a clean history, so the trust allowance (M8) never sends it to review.
  beforeEach(async () => {
    ids = await freshBuyer(t, shop);
  });
  afterAll(async () => {
    await t?.stop();
    await rail.close();
  });
  const prisma = () => t.desk.db.prisma;
  const paid = (options: Parameters<typeof newOrder>[2] = {}) =>
    newOrder(t, ids, { method: rail.method, transactionIdOf: rail.txOf, ...options });
  const executedFor = (orderId: string) => rail.executed(rail.txOf(orderId));
  /** As if time had passed since each refund was sent: past the rail's wait before a query (Alipay's 10 s). */
  const later = () =>
    prisma().refund.updateMany({
      where: { status: 'pending', submittedAt: { not: null } },
      data: { submittedAt: new Date(Date.now() - 60_000) },
    });
  const callsFor = (orderId: string) => rail.calls(rail.txOf(orderId));

  it('50 concurrent requests for one order produce exactly one gateway refund', async () => {
    const order = await paid();
    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        requestRefund(t, { orderId: order, buyerId: ids.buyer, reasonCode: 'changed_mind', idempotencyKey: `key-${order}-${i}` }),
      ),
    );
    const codes = responses.map((r) => r.statusCode);
    expect(codes.filter((c) => c === 201)).toHaveLength(1);
    expect(codes.filter((c) => c === 409)).toHaveLength(49);
    const winner = responses.find((r) => r.statusCode === 201)!.json();
    expect(winner.status).toBe('refunded');
    for (const loser of responses.filter((r) => r.statusCode === 409)) {
      expect(['refund_request_open', 'order_already_refunded']).toContain(loser.json().error.code);
      expect(loser.json().error.existingRequestId).toBe(winner.id);
    }
    expect(executedFor(order)).toBe(1);
    expect(callsFor(order)).toHaveLength(1);
    expect(await prisma().refund.count({ where: { orderId: order } })).toBe(1);
    expect(await prisma().refundRequest.count({ where: { orderId: order } })).toBe(1);
  });

  it('50 concurrent repeats of one idempotency key return the same request, refunded once', async () => {
    const order = await paid();
    const key = `same-key-${order}`;
    const responses = await Promise.all(
      Array.from({ length: 50 }, () =>
        requestRefund(t, { orderId: order, buyerId: ids.buyer, reasonCode: 'changed_mind', idempotencyKey: key }),
      ),
    );
    const ok = responses.filter((r) => r.statusCode === 200 || r.statusCode === 201);
    expect(responses.filter((r) => r.statusCode === 201)).toHaveLength(1);
    expect(new Set(ok.map((r) => r.json().id)).size).toBe(1);
    // Repeats that arrive while the first is still deciding are told so (409), never given a second run.
    for (const r of responses.filter((x) => x.statusCode === 409)) expect(r.json().error.existingRequestId).toBe(ok[0]!.json().id);
    expect(executedFor(order)).toBe(1);
    const again = await requestRefund(t, { orderId: order, buyerId: ids.buyer, reasonCode: 'changed_mind', idempotencyKey: key });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ id: ok[0]!.json().id, status: 'refunded' });
  });

  it('answers 409 with the existing request for an order already refunded', async () => {
    const order = await paid();
    const first = (await requestRefund(t, { orderId: order, buyerId: ids.buyer, reasonCode: 'changed_mind' })).json();
    const second = await requestRefund(t, { orderId: order, buyerId: ids.buyer, reasonCode: 'other' });
    expect(second.statusCode).toBe(409);
    expect(second.json().error).toMatchObject({ code: 'order_already_refunded', existingRequestId: first.id });
  });

  it('a gateway that fails twice then succeeds produces one refund, under one idempotency key', async () => {
    const order = await paid();
    rail.inject('transient', 'transient');
    const body = (await requestRefund(t, { orderId: order, buyerId: ids.buyer, reasonCode: 'changed_mind' })).json();
    expect(body).toMatchObject({ status: 'refunded', refund: { status: 'succeeded' } });
    const calls = callsFor(order);
    expect(calls).toHaveLength(3);
    expect(new Set(calls.map((c) => c.key)).size).toBe(1);
    expect(executedFor(order)).toBe(1);
  });

  it('a gateway that hangs leaves the request refund_pending, and a later run completes it once', async () => {
    const order = await paid();
    rail.inject('hang');
    const body = (await requestRefund(t, { orderId: order, buyerId: ids.buyer, reasonCode: 'changed_mind' })).json();
    expect(body).toMatchObject({ status: 'refund_pending', refund: { status: 'pending' } });
    expect(executedFor(order)).toBe(0);
    await later();
    expect(await t.desk.refunds.completePending({ olderThanMs: 0 })).toBeGreaterThanOrEqual(1);
    expect((await api(t, 'GET', `/v1/refund-requests/${body.id}`)).json()).toMatchObject({
      status: 'refunded',
      refund: { status: 'succeeded' },
    });
    await t.desk.refunds.completePending({ olderThanMs: 0 });
    expect(executedFor(order)).toBe(1);
  });

  it('"accepted, processing" at the provider is not success until the provider says so', async () => {
    const order = await paid();
    rail.inject('pending');
    const body = (await requestRefund(t, { orderId: order, buyerId: ids.buyer, reasonCode: 'changed_mind' })).json();
    expect(body.status).toBe('refund_pending');
    await later();
    await t.desk.refunds.completePending({ olderThanMs: 0 });
    if (rail.resendsUnfinished) {
      // Alipay: no refund_status means not received or failed; sent again under the same number, it is carried out.
      expect(callsFor(order).map((c) => c.key)).toEqual([body.refund.id, body.refund.id]);
    } else {
      expect((await api(t, 'GET', `/v1/refund-requests/${body.id}`)).json().status).toBe('refund_pending');
      rail.settlePending(body.refund.id);
      await later();
      await t.desk.refunds.completePending({ olderThanMs: 0 });
    }
    expect((await api(t, 'GET', `/v1/refund-requests/${body.id}`)).json().status).toBe('refunded');
    expect(executedFor(order)).toBe(1);
  });

  it('a crash after the gateway answered and before the database recorded it is reconciled on restart without a second refund', async () => {
    const order = await paid();
    // The provider executes the refund, then the desk "dies" before it hears the answer.
    rail.inject('crash');
    const body = (await requestRefund(t, { orderId: order, buyerId: ids.buyer, reasonCode: 'changed_mind' })).json();
    expect(body.status).toBe('refund_pending');
    expect(executedFor(order)).toBe(1);
    await later();

    // A new desk process on the same database and the same provider: listen() runs the completion job.
    const restarted = await createDesk(
      loadConfig({
        NODE_ENV: 'test',
        PORT: '0',
        DATABASE_URL: t.database!.url,
        DEMO_SEED: 'off',
        ...TEST_SECRETS,
        SANDBOX_PAYMENTS: 'off',
        ...rail.env(),
      }),
      // The same provider: the sandbox lives in the first desk's process; a real rail is a server.
      { defaultMetrics: false, gateways: rail.name === 'sandbox' ? { wechat: t.desk.sandbox! } : {} },
    );
    try {
      expect(await restarted.refunds.completePending({ olderThanMs: 0 })).toBeGreaterThanOrEqual(1);
    } finally {
      await restarted.close();
    }
    expect((await api(t, 'GET', `/v1/refund-requests/${body.id}`)).json()).toMatchObject({
      status: 'refunded',
      refund: { status: 'succeeded' },
    });
    expect(executedFor(order)).toBe(1);
    expect(callsFor(order)).toHaveLength(1);
  });

  it('a refund the provider refuses goes to a person, and the buyer is told', async () => {
    const order = await paid();
    rail.inject('hard');
    const body = (await requestRefund(t, { orderId: order, buyerId: ids.buyer, reasonCode: 'changed_mind' })).json();
    expect(body).toMatchObject({
      status: 'refund_failed',
      refund: { status: 'failed' },
      handoff: { kind: 'policy_review', status: 'open' },
    });
    const notices = await prisma().notification.findMany({ where: { recipientId: ids.buyer, kind: 'refund.failed' } });
    expect(notices.some((n) => (n.data as { requestId: string }).requestId === body.id)).toBe(true);
  });
});

describe.skipIf(!postgresUp)('refund requests: bad input and ownership', () => {
  let t: TestDesk;
  let shop: Awaited<ReturnType<typeof seedShop>>;
  let ids: Awaited<ReturnType<typeof seedShop>>;
  beforeAll(async () => {
    t = await startTestDesk({ store: 'postgres' });
    shop = await seedShop(t);
    ids = shop;
  });
  afterAll(() => t?.stop());

  it('needs the API key', async () => {
    const r = await t.desk.server.inject({
      method: 'POST',
      url: '/v1/refund-requests',
      headers: { 'content-type': 'application/json' },
      payload: '{}',
    });
    expect(r.statusCode).toBe(401);
    const wrong = await t.desk.server.inject({ method: 'GET', url: '/v1/refund-requests/rr_x', headers: { authorization: 'Bearer nope' } });
    expect(wrong.statusCode).toBe(401);
  });

  it("answers 404 for an unknown order and 403 for someone else's", async () => {
    expect((await requestRefund(t, { orderId: 'o_missing', buyerId: ids.buyer, reasonCode: 'other' })).statusCode).toBe(404);
    const order = await newOrder(t, ids);
    const r = await requestRefund(t, { orderId: order, buyerId: ids.member, reasonCode: 'other' });
    expect(r.statusCode).toBe(403);
    expect(r.json().error.code).toBe('not_order_owner');
  });

  it('names the bad field', async () => {
    const order = await newOrder(t, ids);
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ orderId: order, buyerId: ids.buyer }, 'reasonCode'],
      [{ orderId: order, buyerId: ids.buyer, reasonCode: 'bored' }, 'reasonCode'],
      [{ orderId: 42, buyerId: ids.buyer, reasonCode: 'other' }, 'orderId'],
      [{ orderId: order, buyerId: ids.buyer, reasonCode: 'other', channel: 'fax' }, 'channel'],
      [{ orderId: order, buyerId: ids.buyer, reasonCode: 'other', device: { ip: 'not-an-ip' } }, 'device.ip'],
      [{ orderId: order, buyerId: ids.buyer, reasonCode: 'other', amountMinor: 1 }, 'body'],
      [{ orderId: order, buyerId: ids.buyer, reasonText: 'x'.repeat(2001) }, 'reasonText'],
    ];
    for (const [body, field] of cases) {
      const r = await requestRefund(t, body);
      expect(r.statusCode, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(r.json().error.field).toBe(field);
    }
    expect(await t.desk.db.prisma.refundRequest.count({ where: { orderId: order } })).toBe(0);
  });

  it('reads the reason from free text with the NLU, and asks for a code when the text is no reason', async () => {
    const ids = await freshBuyer(t, shop);
    const changed = await newOrder(t, ids);
    const approved = await requestRefund(t, { orderId: changed, buyerId: ids.buyer, reasonText: '点错了，不想要了' });
    expect(approved.statusCode).toBe(201);
    expect(approved.json()).toMatchObject({ reasonCode: 'changed_mind', reasonText: '点错了，不想要了' });

    // Past the cooling-off window (inside it any reason is refunded), "cannot use" gets a guide first.
    const broken = await newOrder(t, ids, { minutesAgo: 60 });
    const troubleshoot = await requestRefund(t, { orderId: broken, buyerId: ids.buyer, reasonText: "the video won't play at all" });
    expect(troubleshoot.json()).toMatchObject({ reasonCode: 'cannot_use', outcome: 'troubleshoot' });

    const order = await newOrder(t, ids);
    const r = await requestRefund(t, { orderId: order, buyerId: ids.buyer, reasonText: '今天天气怎么样' });
    expect(r.statusCode).toBe(400);
    expect(r.json().error).toMatchObject({ code: 'reason_code_required', field: 'reasonCode' });
  }, 60_000);

  it('lets the buyer withdraw an open request, releasing the order; not a refunded one', async () => {
    const order = await newOrder(t, ids, { minutesAgo: 120, progress: 0.2 });
    const rejected = (await requestRefund(t, { orderId: order, buyerId: ids.buyer, reasonCode: 'unsatisfied' })).json();
    expect(rejected.handoff.status).toBe('open');
    expect((await api(t, 'POST', `/v1/refund-requests/${rejected.id}/cancel`, { buyerId: ids.member })).statusCode).toBe(403);
    const cancelled = await api(t, 'POST', `/v1/refund-requests/${rejected.id}/cancel`, { buyerId: ids.buyer });
    expect(cancelled.json()).toMatchObject({ status: 'cancelled', handoff: { status: 'resolved' } });
    expect((await api(t, 'POST', `/v1/refund-requests/${rejected.id}/cancel`)).json().status).toBe('cancelled');

    const refundedOrder = await newOrder(t, ids);
    const refunded = (await requestRefund(t, { orderId: refundedOrder, buyerId: ids.buyer, reasonCode: 'changed_mind' })).json();
    const refused = await api(t, 'POST', `/v1/refund-requests/${refunded.id}/cancel`);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.code).toBe('refund_not_cancellable');
    expect((await api(t, 'GET', '/v1/refund-requests/rr_unknown1')).statusCode).toBe(404);
    expect((await api(t, 'GET', '/v1/refund-requests/not-an-id')).statusCode).toBe(400);
  });
});
