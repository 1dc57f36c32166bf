// Each real refund rail against a local provider that follows its published API (paths, bodies,
// signatures, encryption, status values), with keys generated here: success, "processing" settled
// by a notification or by a query, forged and repeated notifications, answers that do not verify,
// refusals, refunds the desk has no record of, and WeChat Pay's own limits. The desk listens on a
// real port, so notifications arrive over HTTP as the providers send them.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { api, freshBuyer, newOrder, requestRefund, seedShop } from '../helpers/refunds.ts';
import { freePort, postgresUp } from '../helpers/services.ts';
import { startTestDesk, type TestDesk } from '../helpers/test-desk.ts';
import { FakeAlipay } from '../helpers/providers/fake-alipay.ts';
import { FakeStripe } from '../helpers/providers/fake-stripe.ts';
import { FakeWechatPay } from '../helpers/providers/fake-wechatpay.ts';
import { uid } from '../helpers/events.ts';
import { MAX_PAYOUT_RESENDS } from '../../src/refunds/refund-workflow.ts';

type Shop = Awaited<ReturnType<typeof seedShop>>;

/** A desk on PostgreSQL, listening on a real port, with the sandbox off and the given rail on. */
function deskWith(railEnv: () => Record<string, string>) {
  const ctx = {} as { t: TestDesk; shop: Shop; ids: Shop; url: string };
  beforeAll(async () => {
    const port = await freePort();
    ctx.t = await startTestDesk({
      store: 'postgres',
      env: {
        ...railEnv(),
        SANDBOX_PAYMENTS: 'off',
        PORT: String(port),
        PUBLIC_URL: `http://127.0.0.1:${port}`,
        GATEWAY_TIMEOUT_MS: '2000',
      },
    });
    ctx.url = await ctx.t.desk.listen();
    ctx.shop = await seedShop(ctx.t);
  });
  beforeEach(async () => {
    ctx.ids = await freshBuyer(ctx.t, ctx.shop);
  });
  afterAll(() => ctx.t?.stop());
  return ctx;
}

const view = async (t: TestDesk, id: string) => (await api(t, 'GET', `/v1/refund-requests/${id}`)).json();
const alerts = (t: TestDesk) => t.desk.db.prisma.paymentNotice.findMany({ where: { alert: { not: null } } });
const alertCount = async (t: TestDesk) =>
  (await t.desk.metrics.registry.getSingleMetricAsString('refund_desk_payment_alerts_total'))
    .split('\n')
    .filter((l) => l.startsWith('refund_desk_payment_alerts_total{'))
    .reduce((n, l) => n + Number(l.split(' ').pop()), 0);

describe.skipIf(!postgresUp)('WeChat Pay API v3 (local WeChat Pay)', () => {
  const wx = new FakeWechatPay();
  beforeAll(() => wx.start());
  afterAll(() => wx.close());
  const ctx = deskWith(() => wx.env());
  const tx = (orderId: string) => `4200${orderId}`;
  const paid = (options: Parameters<typeof newOrder>[2] = {}) =>
    newOrder(ctx.t, ctx.ids, { method: 'wechat', transactionIdOf: tx, ...options });
  const ask = async (orderId: string) =>
    (await requestRefund(ctx.t, { orderId, buyerId: ctx.ids.buyer, reasonCode: 'changed_mind' })).json();

  it('refunds along the original transaction: signed request, our refund id as out_refund_no, fen, notify_url', async () => {
    const order = await paid();
    const body = await ask(order);
    expect(body).toMatchObject({ status: 'refunded', refund: { status: 'succeeded', amountMinor: 9900 } });
    const sent = wx.received
      .filter((r) => r.method === 'POST' && r.path === '/v3/refund/domestic/refunds')
      .map((r) => JSON.parse(r.body))
      .find((b) => b.transaction_id === tx(order));
    expect(sent).toEqual({
      transaction_id: tx(order),
      out_refund_no: body.refund.id,
      notify_url: `${ctx.url}/payments/wechat/notify`,
      amount: { refund: 9900, total: 9900, currency: 'CNY' },
    });
    expect(wx.authFailures).toBe(0);
    expect(body.refund.gatewayRef).toBe(wx.refunds.get(body.refund.id)!.providerId);
  });

  it('PROCESSING is not success: the signed notification settles it, once, and a repeat changes nothing', async () => {
    const order = await paid();
    wx.inject('pending');
    const body = await ask(order);
    expect(body).toMatchObject({ status: 'refund_pending', refund: { status: 'pending' } });
    wx.settle(body.refund.id);
    const notification = wx.notificationBody(body.refund.id, { eventId: `EV-${order}` });
    expect(await wx.notify(notification)).toBe(204);
    expect(await view(ctx.t, body.id)).toMatchObject({ status: 'refunded', refund: { status: 'succeeded' } });
    const prisma = ctx.t.desk.db.prisma;
    const ledgerBefore = await prisma.commissionEntry.count({ where: { orderId: order } });
    // WeChat Pay sends again (it did not see our answer): acknowledged, applied once.
    expect(await wx.notify(notification)).toBe(204);
    expect(await prisma.commissionEntry.count({ where: { orderId: order } })).toBe(ledgerBefore);
    expect(await prisma.paymentNotice.count({ where: { id: `wechat:EV-${order}` } })).toBe(1);
    expect(
      await prisma.notification.count({
        where: { recipientId: ctx.ids.buyer, kind: 'refund.succeeded', data: { path: ['requestId'], equals: body.id } },
      }),
    ).toBe(1);
    expect(wx.executed(tx(order))).toHaveLength(1);
  });

  it('refuses forged notifications and applies nothing from them', async () => {
    const order = await paid();
    wx.inject('pending');
    const body = await ask(order);
    wx.settle(body.refund.id);
    const genuine = wx.notificationBody(body.refund.id);
    const { generateKeyPairSync } = await import('node:crypto');
    const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const forgeries: Array<[string, string, Record<string, string>]> = [
      ['signed by another key', genuine, wx.signedHeaders(genuine, stranger)],
      ['another platform key id', genuine, { ...wx.signedHeaders(genuine), 'wechatpay-serial': 'PUB_KEY_ID_someone_else' }],
      ['ten minutes old', genuine, wx.signedHeaders(genuine, undefined, Date.now() - 600_000)],
      ['body changed after signing', genuine.replace('REFUND.SUCCESS', 'REFUND.CLOSED'), wx.signedHeaders(genuine)],
      ['no signature at all', genuine, {}],
    ];
    for (const [what, text, headers] of forgeries) expect(await wx.notify(text, headers), what).toBe(401);
    // Signed correctly but sealed with another APIv3 key: it cannot be opened, so it is not believed.
    const sealedElsewhere = wx.notificationBody(body.refund.id, { apiV3Key: 'x'.repeat(32) });
    expect(await wx.notify(sealedElsewhere)).toBe(401);
    const notJson = 'not json';
    expect(await wx.notify(notJson)).toBe(400);
    expect(await view(ctx.t, body.id)).toMatchObject({ status: 'refund_pending' });
    expect(await ctx.t.desk.db.prisma.paymentNotice.count({ where: { refundId: body.refund.id } })).toBe(0);
    expect(await wx.notify(genuine)).toBe(204);
    expect((await view(ctx.t, body.id)).status).toBe('refunded');
  });

  it('PROCESSING settled by the status query when no notification comes', async () => {
    const order = await paid();
    wx.inject('pending');
    const body = await ask(order);
    await ctx.t.desk.refunds.completePending({ olderThanMs: 0 });
    expect((await view(ctx.t, body.id)).status).toBe('refund_pending');
    wx.settle(body.refund.id);
    await ctx.t.desk.refunds.completePending({ olderThanMs: 0 });
    expect(await view(ctx.t, body.id)).toMatchObject({ status: 'refunded', refund: { status: 'succeeded' } });
    expect(wx.callsFor(tx(order))).toHaveLength(1);
  });

  it('does not believe an answer whose signature does not verify: the refund waits for a verified query', async () => {
    const order = await paid();
    wx.inject('forged');
    const body = await ask(order);
    expect(body.status).toBe('refund_pending');
    expect(wx.executed(tx(order))).toHaveLength(1);
    await ctx.t.desk.refunds.completePending({ olderThanMs: 0 });
    expect((await view(ctx.t, body.id)).status).toBe('refunded');
    expect(wx.callsFor(tx(order))).toHaveLength(1);
  });

  it('an ABNORMAL refund goes to a person, and the buyer is told', async () => {
    const order = await paid();
    wx.inject('pending');
    const body = await ask(order);
    wx.settle(body.refund.id, 'failed');
    expect(await wx.notify(wx.notificationBody(body.refund.id))).toBe(204);
    expect(await view(ctx.t, body.id)).toMatchObject({ status: 'refund_failed', refund: { status: 'failed' } });
    const handoff = await ctx.t.desk.db.prisma.handoff.findFirstOrThrow({
      where: { refundRequestId: body.id, reason: { startsWith: 'refund_failed' } },
    });
    expect(handoff.reason).toContain('abnormal');
    expect(
      await ctx.t.desk.db.prisma.notification.count({ where: { recipientId: ctx.ids.buyer, kind: 'refund.failed' } }),
    ).toBeGreaterThanOrEqual(1);
    // The merchant then finishes it by hand in WeChat Pay's console: the desk does not rewrite a
    // settled refund, it tells a person (who must not refund the order a second time).
    wx.settle(body.refund.id, 'succeeded');
    expect(await wx.notify(wx.notificationBody(body.refund.id))).toBe(204);
    expect((await alerts(ctx.t)).find((a) => a.refundId === body.refund.id)?.alert).toContain(
      'now says the refund ' + body.refund.id + ' succeeded; the desk recorded it failed',
    );
    expect((await view(ctx.t, body.id)).status).toBe('refund_failed');
  });

  it('a notification for a refund the desk has no record of raises an alert, once', async () => {
    const before = await alertCount(ctx.t);
    const stray = `rf_stray_${uid('x')}`;
    wx.book(stray, `4200${uid('o')}`, 500, 'succeeded', '503000000stray');
    const notification = wx.notificationBody(stray);
    expect(await wx.notify(notification)).toBe(204);
    expect(await wx.notify(notification)).toBe(204);
    expect((await alerts(ctx.t)).filter((a) => a.providerRefundId === '503000000stray')).toHaveLength(1);
    expect(await alertCount(ctx.t)).toBe(before + 1);
  });

  const posts = (transactionId: string) =>
    wx.received.filter(
      (r) =>
        r.method === 'POST' &&
        r.path === '/v3/refund/domestic/refunds' &&
        (JSON.parse(r.body) as { transaction_id: string }).transaction_id === transactionId,
    );

  it('FREQUENCY_LIMITED: the same out_refund_no again seconds later, with jitter, never within milliseconds', async () => {
    const order = await paid();
    wx.inject('rate_limited', 'rate_limited');
    const body = await ask(order);
    expect(body).toMatchObject({ status: 'refunded', refund: { status: 'succeeded' } });
    const sent = posts(tx(order));
    expect(sent).toHaveLength(3);
    expect(new Set(sent.map((r) => (JSON.parse(r.body) as { out_refund_no: string }).out_refund_no))).toEqual(new Set([body.refund.id]));
    // Lower bounds only: a retry never comes before its backoff (1 s, then 2 s, each plus jitter).
    expect(sent[1]!.at - sent[0]!.at).toBeGreaterThanOrEqual(1_000);
    expect(sent[2]!.at - sent[1]!.at).toBeGreaterThanOrEqual(2_000);
    expect(wx.executed(tx(order))).toHaveLength(1);
  }, 30_000);

  it('the completion job sends nothing more to a rail that asked for a lower rate, until its next run', async () => {
    const [a, b] = [await paid(), await paid()];
    wx.inject('hang', 'hang');
    const first = await ask(a);
    const second = await ask(b);
    expect([first.status, second.status]).toEqual(['refund_pending', 'refund_pending']);
    // The first resend is refused three times over; the second refund is then left alone (not even asked about).
    wx.inject('rate_limited', 'rate_limited', 'rate_limited');
    const asked = () => wx.received.filter((r) => r.method === 'GET' && r.path.endsWith(second.refund.id)).length;
    await ctx.t.desk.refunds.completePending({ olderThanMs: 0, limit: 2 });
    expect(posts(tx(a))).toHaveLength(1 + 3);
    expect(posts(tx(b))).toHaveLength(1);
    expect(asked()).toBe(0);
    await ctx.t.desk.refunds.completePending({ olderThanMs: 0 });
    expect(await view(ctx.t, first.id)).toMatchObject({ status: 'refunded' });
    expect(await view(ctx.t, second.id)).toMatchObject({ status: 'refunded' });
    expect(wx.executed(tx(a))).toHaveLength(1);
    expect(wx.executed(tx(b))).toHaveLength(1);
  }, 60_000);

  it('trusts answers and notifications signed with either platform key while WeChat Pay rotates them', async () => {
    wx.signingKey = 'next';
    try {
      const order = await paid();
      const body = await ask(order);
      expect(body).toMatchObject({ status: 'refunded', refund: { status: 'succeeded' } });
      const pendingOrder = await paid();
      wx.inject('pending');
      const pending = await ask(pendingOrder);
      wx.settle(pending.refund.id);
      expect(await wx.notify(wx.notificationBody(pending.refund.id))).toBe(204);
      expect((await view(ctx.t, pending.id)).status).toBe('refunded');
    } finally {
      wx.signingKey = 'platform';
    }
  });

  it('WeChat Pay limits: a minute between refunds of one payment (the second waits, then goes)', async () => {
    // A cart: one WeChat payment of ¥198.00 paid for two orders.
    const shared = `4200cart_${uid('c')}`;
    const a = await paid({ transactionIdOf: () => shared, paymentTotalMinor: 19800 });
    const b = await paid({ transactionIdOf: () => shared, paymentTotalMinor: 19800 });
    const first = await ask(a);
    expect(first.status).toBe('refunded');
    const second = await ask(b);
    expect(second).toMatchObject({ status: 'refund_pending', refund: { status: 'pending' } });
    const prisma = ctx.t.desk.db.prisma;
    expect((await prisma.refund.findUniqueOrThrow({ where: { id: second.refund.id } })).lastError).toMatch(
      /^waiting \d+ s: WeChat Pay needs 60 s between refunds/,
    );
    expect(wx.callsFor(shared)).toHaveLength(1);
    // A minute later (the first refund moved back in time), the completion job sends it.
    await prisma.refund.update({ where: { id: first.refund.id }, data: { submittedAt: new Date(Date.now() - 61_000) } });
    await ctx.t.desk.refunds.completePending({ olderThanMs: 0 });
    expect(await view(ctx.t, second.id)).toMatchObject({ status: 'refunded' });
    expect(wx.callsFor(shared).map((c) => [c.key, c.amountMinor])).toEqual([
      [first.refund.id, 9900],
      [second.refund.id, 9900],
    ]);
    const totals = wx.received
      .filter((r) => r.method === 'POST')
      .map((r) => JSON.parse(r.body))
      .filter((r) => r.transaction_id === shared)
      .map((r) => r.amount.total);
    expect(totals).toEqual([19800, 19800]);
  });

  it('WeChat Pay limits: at most 50 refunds of one payment; the 51st goes to a person unsent', async () => {
    const shared = `4200many_${uid('c')}`;
    // Another account's order in the same payment (a gift cart), so this buyer's own history stays clean.
    const giver = await freshBuyer(ctx.t, ctx.shop);
    const earlier = await newOrder(ctx.t, giver, { method: 'wechat', transactionIdOf: () => shared, paymentTotalMinor: 1_000_000 });
    const prisma = ctx.t.desk.db.prisma;
    // Fifty refunds the payment already had, recorded by the desk.
    const requestId = `rr_${uid('seed')}`;
    await prisma.refundRequest.create({
      data: { id: requestId, orderId: earlier, productId: ctx.ids.product, buyerId: giver.buyer, status: 'refunded', channel: 'api' },
    });
    await prisma.refund.createMany({
      data: Array.from({ length: 50 }, (_, i) => ({
        id: `rf_${uid('seed')}_${i}`,
        refundRequestId: requestId,
        orderId: earlier,
        amountMinor: 100,
        currency: 'CNY',
        paymentMethod: 'wechat' as const,
        transactionId: shared,
        status: 'succeeded' as const,
        submittedAt: new Date(Date.now() - 3_600_000),
      })),
    });
    const order = await paid({ transactionIdOf: () => shared, paymentTotalMinor: 1_000_000 });
    const body = await ask(order);
    expect(body).toMatchObject({ status: 'refund_failed', refund: { status: 'failed' } });
    const handoff = await prisma.handoff.findFirstOrThrow({ where: { refundRequestId: body.id, reason: { startsWith: 'refund_failed' } } });
    expect(handoff.reason).toContain('at most 50 refunds of one payment');
    expect(wx.callsFor(shared)).toHaveLength(0);
  });

  it('WeChat Pay limits: no refund a year after payment, even when an agent approves it', async () => {
    const order = await paid({ minutesAgo: 366 * 24 * 60 });
    const body = await ask(order);
    expect(['rejected', 'in_review']).toContain(body.status);
    const outcome = await ctx.t.desk.agentDecisions.approve(body.id, { id: 'U_AGENT' });
    expect(outcome.view).toMatchObject({ status: 'refund_failed' });
    const handoff = await ctx.t.desk.db.prisma.handoff.findFirstOrThrow({
      where: { refundRequestId: body.id, reason: { startsWith: 'refund_failed' } },
    });
    expect(handoff.reason).toContain('WeChat Pay refuses refunds more than 365 days after payment');
    expect(wx.callsFor(tx(order))).toHaveLength(0);
  });
});

describe.skipIf(!postgresUp)('Alipay (local OpenAPI gateway)', () => {
  const ali = new FakeAlipay();
  beforeAll(() => ali.start());
  afterAll(() => ali.close());
  const ctx = deskWith(() => ali.env());
  const tx = (orderId: string) => `2026${orderId}`;
  const paid = () => newOrder(ctx.t, ctx.ids, { method: 'alipay', transactionIdOf: tx });
  const ask = async (orderId: string) =>
    (await requestRefund(ctx.t, { orderId, buyerId: ctx.ids.buyer, reasonCode: 'changed_mind' })).json();

  it('alipay.trade.refund on the original trade, RSA2-signed, out_request_no = our refund id, amount as "99.00"', async () => {
    const order = await paid();
    const body = await ask(order);
    expect(body).toMatchObject({ status: 'refunded', refund: { status: 'succeeded', gatewayRef: tx(order) } });
    const call = ali.received
      .map((r) => ({ ...Object.fromEntries(new URL(r.path, 'http://x').searchParams), ...Object.fromEntries(new URLSearchParams(r.body)) }))
      .find((p) => p.method === 'alipay.trade.refund' && p.biz_content?.includes(tx(order)))!;
    expect(call).toMatchObject({ app_id: ali.keys.app.appId, sign_type: 'RSA2', charset: 'utf-8', version: '1.0' });
    expect(JSON.parse(call.biz_content!)).toEqual({ trade_no: tx(order), refund_amount: '99.00', out_request_no: body.refund.id });
    expect(ali.signatureFailures).toBe(0);
  });

  const queries = (refundId: string) =>
    ali.received.filter((r) => r.path.includes('alipay.trade.fastpay.refund.query') && r.body.includes(refundId));
  const refundCalls = (refundId: string) =>
    ali.received.filter((r) => !r.path.includes('alipay.trade.fastpay.refund.query') && r.body.includes(refundId));
  /** As if Alipay's 10 s before a query had passed since the refund was last sent. */
  const tenSecondsOn = (refundId: string) =>
    ctx.t.desk.db.prisma.refund.update({ where: { id: refundId }, data: { submittedAt: new Date(Date.now() - 11_000) } });

  it('fund_change=N is not success, and is not asked about sooner than 10 s after it was sent', async () => {
    const order = await paid();
    ali.inject('pending');
    const body = await ask(order);
    expect(body).toMatchObject({ status: 'refund_pending', refund: { status: 'pending' } });
    expect(queries(body.refund.id)).toHaveLength(0);
    await ctx.t.desk.refunds.completePending({ olderThanMs: 0 });
    expect(queries(body.refund.id)).toHaveLength(0);
    expect((await view(ctx.t, body.id)).status).toBe('refund_pending');
  });

  it('a query without refund_status means not received or failed: sent again under the same out_request_no, then settled', async () => {
    const order = await paid();
    ali.inject('pending');
    const body = await ask(order);
    await tenSecondsOn(body.refund.id);
    await ctx.t.desk.refunds.completePending({ olderThanMs: 0 });
    expect(queries(body.refund.id)).toHaveLength(1);
    expect(await view(ctx.t, body.id)).toMatchObject({ status: 'refunded', refund: { status: 'succeeded' } });
    const sent = refundCalls(body.refund.id).map((r) => JSON.parse(new URLSearchParams(r.body).get('biz_content')!));
    expect(sent).toEqual([
      { trade_no: tx(order), refund_amount: '99.00', out_request_no: body.refund.id },
      { trade_no: tx(order), refund_amount: '99.00', out_request_no: body.refund.id },
    ]);
    expect(ali.executed(tx(order))).toHaveLength(1);
  });

  it('REFUND_SUCCESS in the query settles a refund without sending it again', async () => {
    const order = await paid();
    ali.inject('pending');
    const body = await ask(order);
    ali.settle(body.refund.id);
    await tenSecondsOn(body.refund.id);
    await ctx.t.desk.refunds.completePending({ olderThanMs: 0 });
    expect(await view(ctx.t, body.id)).toMatchObject({ status: 'refunded', refund: { status: 'succeeded' } });
    expect(refundCalls(body.refund.id)).toHaveLength(1);
  });

  it('a refund Alipay never carries out is sent a bounded number of times, then given to a person once', async () => {
    const prisma = ctx.t.desk.db.prisma;
    const order = await paid();
    ali.inject(...Array.from({ length: 1 + MAX_PAYOUT_RESENDS }, () => 'pending' as const));
    const body = await ask(order);
    for (let run = 0; run < MAX_PAYOUT_RESENDS + 3; run += 1) {
      await tenSecondsOn(body.refund.id);
      await ctx.t.desk.refunds.completePending({ olderThanMs: 0 });
    }
    expect(refundCalls(body.refund.id)).toHaveLength(1 + MAX_PAYOUT_RESENDS);
    expect((await view(ctx.t, body.id)).status).toBe('refund_pending');
    const handoffs = await prisma.handoff.findMany({ where: { refundRequestId: body.id, reason: { startsWith: 'refund_unsettled' } } });
    expect(handoffs).toHaveLength(1);
    expect(handoffs[0]!.reason).toContain('no refund_status');
    expect(handoffs[0]!.reason).toContain(`sent ${1 + MAX_PAYOUT_RESENDS} times under the same key`);
    const alerts = await prisma.outboxMessage.findMany({ where: { topic: 'payment.alert', dedupeKey: { contains: body.refund.id } } });
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.payload).toMatchObject({ provider: 'alipay', kind: 'unsettled', deskRefundId: body.refund.id, amountMinor: 9900 });
    // The person finds Alipay carried it out after all: the desk, still asking, records it.
    ali.settle(body.refund.id);
    await tenSecondsOn(body.refund.id);
    await ctx.t.desk.refunds.completePending({ olderThanMs: 0 });
    expect((await view(ctx.t, body.id)).status).toBe('refunded');
    expect(refundCalls(body.refund.id)).toHaveLength(1 + MAX_PAYOUT_RESENDS);
  });

  it('does not believe an answer signed with another key; a verified query settles it', async () => {
    const order = await paid();
    ali.inject('forged');
    const body = await ask(order);
    expect(body.status).toBe('refund_pending');
    await tenSecondsOn(body.refund.id);
    await ctx.t.desk.refunds.completePending({ olderThanMs: 0 });
    expect((await view(ctx.t, body.id)).status).toBe('refunded');
    expect(ali.executed(tx(order))).toHaveLength(1);
  });

  it("a refusal (seller balance too low) goes to a person with Alipay's reason", async () => {
    const order = await paid();
    ali.inject('hard');
    const body = await ask(order);
    expect(body).toMatchObject({ status: 'refund_failed', refund: { status: 'failed' } });
    const handoff = await ctx.t.desk.db.prisma.handoff.findFirstOrThrow({
      where: { refundRequestId: body.id, reason: { startsWith: 'refund_failed' } },
    });
    expect(handoff.reason).toContain('ACQ.SELLER_BALANCE_NOT_ENOUGH');
  });
});

describe.skipIf(!postgresUp)('Stripe (local API)', () => {
  const stripe = new FakeStripe();
  beforeAll(() => stripe.start());
  afterAll(() => stripe.close());
  const ctx = deskWith(() => stripe.env());
  const tx = (orderId: string) => `pi_${orderId}`;
  const paid = () => newOrder(ctx.t, ctx.ids, { method: 'card', transactionIdOf: tx });
  const ask = async (orderId: string) =>
    (await requestRefund(ctx.t, { orderId, buyerId: ctx.ids.buyer, reasonCode: 'changed_mind' })).json();
  const post = async (hook: { body: string; signature: string }) =>
    (
      await fetch(`${ctx.url}/payments/stripe/webhook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8', 'stripe-signature': hook.signature },
        body: hook.body,
      })
    ).status;

  it('refunds the PaymentIntent under our refund id as the Idempotency-Key, with the id in metadata', async () => {
    const order = await paid();
    const body = await ask(order);
    expect(body).toMatchObject({ status: 'refunded', refund: { status: 'succeeded' } });
    const request = stripe.received.find((r) => r.method === 'POST' && r.body.includes(tx(order)))!;
    expect(request.headers['idempotency-key']).toBe(body.refund.id);
    const form = new URLSearchParams(request.body);
    expect(form.get('payment_intent')).toBe(tx(order));
    expect(form.get('amount')).toBe('9900');
    expect(form.get('metadata[desk_refund_id]')).toBe(body.refund.id);
    expect(body.refund.gatewayRef).toMatch(/^re_/);
  });

  it('pending until the signed refund.updated webhook; a repeat is applied once; forged and stale ones are refused', async () => {
    const order = await paid();
    stripe.inject('pending');
    const body = await ask(order);
    expect(body.status).toBe('refund_pending');
    const refund = stripe.settle(body.refund.id);
    const object = stripe.refundObject(refund);
    expect(await post(stripe.webhook('refund.updated', object, { secret: 'whsec_not_ours_at_all' }))).toBe(401);
    expect(await post(stripe.webhook('refund.updated', object, { at: Date.now() - 3_600_000 }))).toBe(401);
    expect(await post({ body: stripe.webhook('refund.updated', object).body, signature: 'nonsense' })).toBe(401);
    expect((await view(ctx.t, body.id)).status).toBe('refund_pending');
    const genuine = stripe.webhook('refund.updated', object, { id: `evt_${order}` });
    expect(await post(genuine)).toBe(200);
    expect(await post(genuine)).toBe(200);
    expect(await view(ctx.t, body.id)).toMatchObject({ status: 'refunded', refund: { status: 'succeeded' } });
    expect(await ctx.t.desk.db.prisma.paymentNotice.count({ where: { refundId: body.refund.id } })).toBe(1);
  });

  it('pending settled by the query when no webhook comes', async () => {
    const order = await paid();
    stripe.inject('pending');
    const body = await ask(order);
    await ctx.t.desk.refunds.completePending({ olderThanMs: 0 });
    expect((await view(ctx.t, body.id)).status).toBe('refund_pending');
    stripe.settle(body.refund.id);
    await ctx.t.desk.refunds.completePending({ olderThanMs: 0 });
    expect((await view(ctx.t, body.id)).status).toBe('refunded');
  });

  it('a refund made in the Stripe dashboard raises one alert, by webhook or by reconciliation', async () => {
    const before = await alertCount(ctx.t);
    const order = await paid();
    const dashboard = stripe.dashboardRefund(tx(order), 500);
    const charge = { id: `ch_${order}`, object: 'charge', payment_intent: tx(order), amount: 9900, amount_refunded: 500, refunded: false };
    expect(await post(stripe.webhook('charge.refunded', charge))).toBe(200);
    const first = (await alerts(ctx.t)).filter((a) => a.providerRefundId === dashboard.providerId);
    expect(first).toHaveLength(1);
    expect(first[0]!.alert).toContain('no record');
    // The reconciliation finds the same refund again (no second alert) and another one the webhook missed.
    const missed = stripe.dashboardRefund(tx(await paid()), 700);
    expect(
      await ctx.t.desk.paymentNotices.reconcile(
        'stripe',
        ctx.t.desk.gateways.for('card')!,
        new Date(Date.now() - 3_600_000),
        AbortSignal.timeout(5_000),
      ),
    ).toBe(1);
    expect(
      await ctx.t.desk.paymentNotices.reconcile(
        'stripe',
        ctx.t.desk.gateways.for('card')!,
        new Date(Date.now() - 3_600_000),
        AbortSignal.timeout(5_000),
      ),
    ).toBe(0);
    expect((await alerts(ctx.t)).filter((a) => a.providerRefundId === missed.providerId)).toHaveLength(1);
    expect(await alertCount(ctx.t)).toBe(before + 2);
  });

  it('a refund Stripe reports failed after the desk recorded it paid raises an alert', async () => {
    const order = await paid();
    const body = await ask(order);
    expect(body.status).toBe('refunded');
    const refund = stripe.settle(body.refund.id, 'failed');
    expect(await post(stripe.webhook('refund.failed', stripe.refundObject(refund)))).toBe(200);
    const raised = (await alerts(ctx.t)).find((a) => a.refundId === body.refund.id);
    expect(raised?.alert).toContain('now says the refund');
    expect((await view(ctx.t, body.id)).status).toBe('refunded');
  });
});
