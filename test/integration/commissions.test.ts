// Commission freeze, reversal, claw-back and release through the real API on PostgreSQL (M13-M15, M18).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEMO } from '../../src/demo/demo-shop.ts';
import { seedDemoShop } from '../../src/demo/seed-demo.ts';
import { buyer as buyerEvent, event, iso, uid } from '../helpers/events.ts';
import { startFakePlatform, type FakePlatform } from '../helpers/fake-platform.ts';
import { api, freshBuyer, newOrder, requestRefund, seedShop } from '../helpers/refunds.ts';
import { postgresUp } from '../helpers/services.ts';
import { startTestDesk, TEST_SECRETS, type TestDesk } from '../helpers/test-desk.ts';

type Notice = { kind: string; locale: string; title: string; body: string; data: { orderId?: string } };

describe.skipIf(!postgresUp)('commissions (PostgreSQL)', () => {
  let t: TestDesk;
  let platform: FakePlatform;
  let shop: Awaited<ReturnType<typeof seedShop>>;
  let ids: typeof shop;
  beforeAll(async () => {
    platform = await startFakePlatform(TEST_SECRETS.PLATFORM_WEBHOOK_SECRET);
    t = await startTestDesk({ store: 'postgres', env: { PLATFORM_CALLBACK_URL: `${platform.url}/callback` } });
    await seedDemoShop(t.desk.db.prisma);
    shop = await seedShop(t);
  });
  beforeEach(async () => {
    platform.mode = { status: 200 };
    ids = await freshBuyer(t, shop);
  });
  afterAll(async () => {
    await t?.stop();
    await platform?.close();
  });

  const noticesFor = async (recipientId: string, orderId: string): Promise<Notice[]> =>
    (await api(t, 'GET', `/v1/notifications?recipientId=${recipientId}`)).json().notifications.filter((n: Notice) => n.data.orderId === orderId);
  const account = async (beneficiaryId: string) => (await api(t, 'GET', `/v1/commissions?beneficiaryId=${beneficiaryId}`)).json();

  it('M21: both levels frozen at the request, then reversed as never paid, and both team leaders told twice', async () => {
    const body = (await requestRefund(t, { orderId: DEMO.orders.m21, buyerId: DEMO.buyers.buyer, reasonCode: 'changed_mind' })).json();
    expect(body.status).toBe('refunded');
    for (const [leader, level, amount] of [[DEMO.buyers.member, 1, 990], [DEMO.buyers.leader, 2, 495]] as const) {
      const entries = (await account(leader)).entries.filter((e: { orderId: string }) => e.orderId === DEMO.orders.m21);
      expect(entries.map((e: { kind: string; amountMinor: number }) => [e.kind, e.amountMinor])).toEqual([['accrued', amount], ['frozen', amount], ['reversed', amount]]);
      const c = (await account(leader)).commissions.find((x: { orderId: string }) => x.orderId === DEMO.orders.m21);
      expect(c).toMatchObject({ level, state: 'reversed', reversedMinor: amount, clawedBackMinor: 0, outstandingMinor: 0, frozenByRefundRequestId: null });
      const notices = await noticesFor(leader, DEMO.orders.m21);
      expect(notices.map((n) => n.kind).sort()).toEqual(['commission.frozen', 'commission.reversed']);
      expect(notices.every((n) => n.locale === 'zh' && n.body.includes('李*明') && n.body.includes(DEMO.orders.m21))).toBe(true);
    }
    // The platform is told to hold, then to void: signed calls through the outbox.
    await t.desk.outbox.deliverDue();
    const calls = platform.received.filter((c) => c.body.orderId === DEMO.orders.m21).map((c) => c.body.type);
    expect(calls).toEqual(expect.arrayContaining(['commission.hold', 'commission.settle', 'access.revoke']));
    expect(platform.received.every((c) => c.signatureValid)).toBe(true);
  });

  it('claws back a paid-out commission, leaving a negative balance that the next accrual nets', async () => {
    const member = uid('b');
    await t.postEvent(buyerEvent(member, { uplineId: shop.leader }));
    const b = await freshBuyer(t, { ...shop, member });
    const order = await newOrder(t, { ...b, member });
    await t.postEvent(event('commission.paid', { orderId: order, beneficiaryId: member, amountMinor: 990, at: iso() }));
    expect((await account(member)).balanceMinor).toBe(0);

    expect((await requestRefund(t, { orderId: order, buyerId: b.buyer, reasonCode: 'changed_mind' })).json().status).toBe('refunded');
    const after = await account(member);
    expect(after.balanceMinor).toBe(-990);
    expect(after.commissions[0]).toMatchObject({ state: 'clawed_back', clawedBackMinor: 990, paidMinor: 990 });
    expect((await noticesFor(member, order)).find((n) => n.kind === 'commission.clawed_back')!.body).toContain('将从您之后的佣金中抵扣');

    const next = await newOrder(t, { ...(await freshBuyer(t, { ...shop, member })), member });
    expect(next).toBeTruthy();
    expect((await account(member)).balanceMinor).toBe(0); // -990 + 990: netted
  });

  it('releases the freeze of a refused request, with notices', async () => {
    const order = await newOrder(t, ids, { minutesAgo: 120, progress: 0.2 });
    const body = (await requestRefund(t, { orderId: order, buyerId: ids.buyer, reasonCode: 'unsatisfied' })).json();
    expect(body.status).toBe('rejected');
    const member = (await account(ids.member)).commissions.find((c: { orderId: string }) => c.orderId === order);
    expect(member).toMatchObject({ state: 'released', outstandingMinor: 990, frozenByRefundRequestId: null });
    expect((await noticesFor(ids.member, order)).map((n) => n.kind).sort()).toEqual(['commission.frozen', 'commission.released']);
  });

  it('keeps the freeze while a person reviews, and releases it when the buyer withdraws, with notices', async () => {
    // A new account (registered yesterday) gets one automatic refund; the second request is reviewed.
    const buyerId = uid('b');
    await t.postEvent(buyerEvent(buyerId, { uplineId: shop.member, registeredAt: iso(Date.now() - 86_400_000) }));
    const b = { ...shop, buyer: buyerId };
    await requestRefund(t, { orderId: await newOrder(t, b), buyerId, reasonCode: 'changed_mind' });
    const order = await newOrder(t, b);
    const review = (await requestRefund(t, { orderId: order, buyerId, reasonCode: 'changed_mind' })).json();
    expect(review.status).toBe('in_review');
    expect((await account(shop.leader)).commissions.find((c: { orderId: string }) => c.orderId === order)).toMatchObject({ state: 'frozen', frozenByRefundRequestId: review.id });

    await api(t, 'POST', `/v1/refund-requests/${review.id}/cancel`, { buyerId });
    expect((await account(shop.leader)).commissions.find((c: { orderId: string }) => c.orderId === order)).toMatchObject({ state: 'released', frozenByRefundRequestId: null });
    const kinds = (await noticesFor(shop.leader, order)).map((n) => n.kind).sort();
    expect(kinds).toEqual(['commission.frozen', 'commission.released']);
  });

  it('freezes nothing for a troubleshooting guide (no refund is under way yet)', async () => {
    const order = await newOrder(t, ids);
    expect((await requestRefund(t, { orderId: order, buyerId: ids.buyer, reasonCode: 'cannot_use' })).json().status).toBe('troubleshooting');
    expect((await account(ids.member)).commissions.find((c: { orderId: string }) => c.orderId === order).state).toBe('accrued');
  });

  it('delivers the hold to a platform that was down for a while, once it is back', async () => {
    platform.mode = { status: 503 };
    const order = await newOrder(t, ids, { minutesAgo: 300 });
    const refunded = (await requestRefund(t, { orderId: order, buyerId: ids.buyer, reasonCode: 'other' })).json();
    expect(refunded.status).toBe('refunded');
    await t.desk.outbox.deliverDue();
    const holds = () => platform.received.filter((c) => c.body.type === 'commission.hold' && c.body.orderId === order);
    expect(holds()).toHaveLength(1);
    const pending = await t.desk.db.prisma.outboxMessage.findMany({ where: { status: 'pending', lastError: 'answered 503' } });
    expect(pending.length).toBeGreaterThan(0);

    platform.mode = { status: 200 };
    await t.desk.db.prisma.outboxMessage.updateMany({ where: { status: 'pending' }, data: { availableAt: new Date() } });
    await t.desk.outbox.deliverDue();
    await t.desk.outbox.deliverDue();
    expect(holds()).toHaveLength(2); // the failed attempt, then the acknowledged one; never again
    expect(holds()[1]!.body.commissions).toEqual([
      { beneficiaryId: ids.member, level: 1, action: 'frozen', amountMinor: 990, currency: 'CNY' },
      { beneficiaryId: ids.leader, level: 2, action: 'frozen', amountMinor: 495, currency: 'CNY' },
    ]);
    expect(await t.desk.db.prisma.outboxMessage.count({ where: { status: 'pending', payload: { path: ['orderId'], equals: order } } })).toBe(0);
  });

  it('answers 400 without a beneficiary', async () => {
    expect((await api(t, 'GET', '/v1/commissions')).statusCode).toBe(400);
  });
});
