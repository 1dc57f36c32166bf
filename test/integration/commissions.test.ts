// Commission freeze, reversal, claw-back and release through the real API on PostgreSQL (M13-M15, M18).
import { describe, expect, it } from 'vitest';
import { DEMO } from '../../src/demo/demo-shop.ts';
import { seedDemoShop } from '../../src/demo/seed-demo.ts';
import { buyer as buyerEvent, event, iso, uid } from '../helpers/events.ts';
import { deskWithPlatform } from '../helpers/fake-platform.ts';
import { api, freshBuyer, newOrder, requestRefund } from '../helpers/refunds.ts';
import { postgresUp } from '../helpers/services.ts';

type Notice = { kind: string; locale: string; title: string; body: string; data: { orderId?: string } };

describe.skipIf(!postgresUp)('commissions (PostgreSQL)', () => {
  const ctx = deskWithPlatform(
    (url) => ({ PLATFORM_CALLBACK_URL: `${url}/callback` }),
    (t) => seedDemoShop(t.desk.db.prisma).then(() => undefined),
  );

  const noticesFor = async (recipientId: string, orderId: string): Promise<Notice[]> =>
    (await api(ctx.t, 'GET', `/v1/notifications?recipientId=${recipientId}`))
      .json()
      .notifications.filter((n: Notice) => n.data.orderId === orderId);
  const account = async (beneficiaryId: string) => (await api(ctx.t, 'GET', `/v1/commissions?beneficiaryId=${beneficiaryId}`)).json();

  it('M21: both levels frozen at the request, then reversed as never paid, and both team leaders told twice', async () => {
    const body = (await requestRefund(ctx.t, { orderId: DEMO.orders.m21, buyerId: DEMO.buyers.buyer, reasonCode: 'changed_mind' })).json();
    expect(body.status).toBe('refunded');
    for (const [leader, level, amount] of [
      [DEMO.buyers.member, 1, 990],
      [DEMO.buyers.leader, 2, 495],
    ] as const) {
      const entries = (await account(leader)).entries.filter((e: { orderId: string }) => e.orderId === DEMO.orders.m21);
      expect(entries.map((e: { kind: string; amountMinor: number }) => [e.kind, e.amountMinor])).toEqual([
        ['accrued', amount],
        ['frozen', amount],
        ['reversed', amount],
      ]);
      const c = (await account(leader)).commissions.find((x: { orderId: string }) => x.orderId === DEMO.orders.m21);
      expect(c).toMatchObject({
        level,
        state: 'reversed',
        reversedMinor: amount,
        clawedBackMinor: 0,
        outstandingMinor: 0,
        frozenByRefundRequestId: null,
      });
      const notices = await noticesFor(leader, DEMO.orders.m21);
      expect(notices.map((n) => n.kind).sort()).toEqual(['commission.frozen', 'commission.reversed']);
      expect(notices.every((n) => n.locale === 'zh' && n.body.includes('李*明') && n.body.includes(DEMO.orders.m21))).toBe(true);
    }
    // The platform is told to hold, then to void: signed calls through the outbox.
    await ctx.t.desk.outbox.deliverDue();
    const calls = ctx.platform.received.filter((c) => c.body.orderId === DEMO.orders.m21).map((c) => c.body.type);
    expect(calls).toEqual(expect.arrayContaining(['commission.hold', 'commission.settle', 'access.revoke']));
    expect(ctx.platform.received.every((c) => c.signatureValid)).toBe(true);
  });

  it('claws back a paid-out commission, leaving a negative balance that the next accrual nets', async () => {
    const member = uid('b');
    await ctx.t.postEvent(buyerEvent(member, { uplineId: ctx.shop.leader }));
    const b = await freshBuyer(ctx.t, { ...ctx.shop, member });
    const order = await newOrder(ctx.t, { ...b, member });
    await ctx.t.postEvent(event('commission.paid', { orderId: order, beneficiaryId: member, amountMinor: 990, at: iso() }));
    expect((await account(member)).balanceMinor).toBe(0);

    expect((await requestRefund(ctx.t, { orderId: order, buyerId: b.buyer, reasonCode: 'changed_mind' })).json().status).toBe('refunded');
    const after = await account(member);
    expect(after.balanceMinor).toBe(-990);
    expect(after.commissions[0]).toMatchObject({ state: 'clawed_back', clawedBackMinor: 990, paidMinor: 990 });
    expect((await noticesFor(member, order)).find((n) => n.kind === 'commission.clawed_back')!.body).toContain('将从您之后的佣金中抵扣');

    const next = await newOrder(ctx.t, { ...(await freshBuyer(ctx.t, { ...ctx.shop, member })), member });
    expect(next).toBeTruthy();
    expect((await account(member)).balanceMinor).toBe(0); // -990 + 990: netted
  });

  it('releases the freeze of a refused request, with notices', async () => {
    const order = await newOrder(ctx.t, ctx.ids, { minutesAgo: 120, progress: 0.2 });
    const body = (await requestRefund(ctx.t, { orderId: order, buyerId: ctx.ids.buyer, reasonCode: 'unsatisfied' })).json();
    expect(body.status).toBe('rejected');
    const member = (await account(ctx.ids.member)).commissions.find((c: { orderId: string }) => c.orderId === order);
    expect(member).toMatchObject({ state: 'released', outstandingMinor: 990, frozenByRefundRequestId: null });
    expect((await noticesFor(ctx.ids.member, order)).map((n) => n.kind).sort()).toEqual(['commission.frozen', 'commission.released']);
  });

  it('keeps the freeze while a person reviews, and releases it when the buyer withdraws, with notices', async () => {
    // A new account (registered yesterday) gets one automatic refund after the cooling-off window;
    // the second request there is reviewed.
    const buyerId = uid('b');
    await ctx.t.postEvent(buyerEvent(buyerId, { uplineId: ctx.shop.member, registeredAt: iso(Date.now() - 86_400_000) }));
    const b = { ...ctx.shop, buyer: buyerId };
    await requestRefund(ctx.t, { orderId: await newOrder(ctx.t, b, { minutesAgo: 120 }), buyerId, reasonCode: 'changed_mind' });
    const order = await newOrder(ctx.t, b, { minutesAgo: 120 });
    const review = (await requestRefund(ctx.t, { orderId: order, buyerId, reasonCode: 'changed_mind' })).json();
    expect(review.status).toBe('in_review');
    expect((await account(ctx.shop.leader)).commissions.find((c: { orderId: string }) => c.orderId === order)).toMatchObject({
      state: 'frozen',
      frozenByRefundRequestId: review.id,
    });

    await api(ctx.t, 'POST', `/v1/refund-requests/${review.id}/cancel`, { buyerId });
    expect((await account(ctx.shop.leader)).commissions.find((c: { orderId: string }) => c.orderId === order)).toMatchObject({
      state: 'released',
      frozenByRefundRequestId: null,
    });
    const kinds = (await noticesFor(ctx.shop.leader, order)).map((n) => n.kind).sort();
    expect(kinds).toEqual(['commission.frozen', 'commission.released']);
  });

  it('freezes nothing for a troubleshooting guide (no refund is under way yet)', async () => {
    // After the cooling-off window "cannot use" gets a guide first.
    const order = await newOrder(ctx.t, ctx.ids, { minutesAgo: 60 });
    expect((await requestRefund(ctx.t, { orderId: order, buyerId: ctx.ids.buyer, reasonCode: 'cannot_use' })).json().status).toBe(
      'troubleshooting',
    );
    expect((await account(ctx.ids.member)).commissions.find((c: { orderId: string }) => c.orderId === order).state).toBe('accrued');
  });

  it('delivers the hold to a platform that was down for a while, once it is back', async () => {
    ctx.platform.mode = { status: 503 };
    const order = await newOrder(ctx.t, ctx.ids, { minutesAgo: 300 });
    const refunded = (await requestRefund(ctx.t, { orderId: order, buyerId: ctx.ids.buyer, reasonCode: 'other' })).json();
    expect(refunded.status).toBe('refunded');
    await ctx.t.desk.outbox.deliverDue();
    const holds = () => ctx.platform.received.filter((c) => c.body.type === 'commission.hold' && c.body.orderId === order);
    expect(holds()).toHaveLength(1);
    const pending = await ctx.t.desk.db.prisma.outboxMessage.findMany({ where: { status: 'pending', lastError: 'answered 503' } });
    expect(pending.length).toBeGreaterThan(0);

    ctx.platform.mode = { status: 200 };
    await ctx.t.desk.db.prisma.outboxMessage.updateMany({ where: { status: 'pending' }, data: { availableAt: new Date() } });
    await ctx.t.desk.outbox.deliverDue();
    await ctx.t.desk.outbox.deliverDue();
    expect(holds()).toHaveLength(2); // the failed attempt, then the acknowledged one; never again
    expect(holds()[1]!.body.commissions).toEqual([
      { beneficiaryId: ctx.ids.member, level: 1, action: 'frozen', amountMinor: 990, currency: 'CNY' },
      { beneficiaryId: ctx.ids.leader, level: 2, action: 'frozen', amountMinor: 495, currency: 'CNY' },
    ]);
    expect(
      await ctx.t.desk.db.prisma.outboxMessage.count({ where: { status: 'pending', payload: { path: ['orderId'], equals: order } } }),
    ).toBe(0);
  });

  it('answers 400 without a beneficiary', async () => {
    expect((await api(ctx.t, 'GET', '/v1/commissions')).statusCode).toBe(400);
  });
});
