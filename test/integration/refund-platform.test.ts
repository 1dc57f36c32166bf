// The desk's calls to the platform: the live usage check (M5) and access revocation after a refund,
// through a real local HTTP server; plus a payment method with no gateway (M20) and the allowance (M8).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decide, presetFor, storedFactsSchema } from '../../src/policy/index.ts';
import { freshBuyer, newOrder, requestRefund, seedShop } from '../helpers/refunds.ts';
import { deskWithPlatform } from '../helpers/fake-platform.ts';
import { postgresUp } from '../helpers/services.ts';
import { startTestDesk, type TestDesk } from '../helpers/test-desk.ts';
import { buyer as buyerEvent, iso, uid } from '../helpers/events.ts';

describe.skipIf(!postgresUp)('calls to the platform (PostgreSQL)', () => {
  const ctx = deskWithPlatform((url) => ({
    PLATFORM_USAGE_URL: `${url}/usage`,
    PLATFORM_CALLBACK_URL: `${url}/callback`,
    USAGE_CHECK_TIMEOUT_MS: '1500',
  }));

  it('decides on live usage the platform reports, not on stale records (M5)', async () => {
    const order = await newOrder(ctx.t, ctx.ids, { minutesAgo: 120, progress: 0.05 });
    ctx.platform.usage[order] = [{ kind: 'course.progress', value: 0.4, at: iso() }];
    const body = (await requestRefund(ctx.t, { orderId: order, buyerId: ctx.ids.buyer, reasonCode: 'unsatisfied' })).json();
    expect(body.status).toBe('rejected');
    expect(body.rules.find((r: { id: string }) => r.id === 'usage.live_check').detail).toBe('usage confirmed by the live platform check');
    expect(body.rules.find((r: { id: string }) => r.id === 'lock.course_progress')).toMatchObject({
      result: 'fail',
      detail: 'progress 40% > lock at 30%',
    });
    const check = ctx.platform.received.find((c) => c.path === '/usage' && c.body.orderId === order)!;
    expect(check.signatureValid).toBe(true);
    expect(await ctx.t.desk.db.prisma.usageEvent.count({ where: { orderId: order, source: { startsWith: 'live:' } } })).toBe(1);
  });

  it('decides on recorded usage, and says so, when the live check hangs or fails', async () => {
    ctx.platform.mode = 'hang';
    const order = await newOrder(ctx.t, ctx.ids, { minutesAgo: 120, progress: 0.05 });
    // A hanging platform is cut at USAGE_CHECK_TIMEOUT_MS: the request is answered (it would otherwise
    // hang past the test's own timeout) and says which fallback decided it.
    const body = (await requestRefund(ctx.t, { orderId: order, buyerId: ctx.ids.buyer, reasonCode: 'unsatisfied' })).json();
    expect(body.status).toBe('refunded');
    expect(body.rules.find((r: { id: string }) => r.id === 'usage.live_check').detail).toBe(
      'live check failed (no answer within 1500 ms); decided on recorded usage',
    );

    ctx.platform.mode = { status: 500 };
    const other = await newOrder(ctx.t, await freshBuyer(ctx.t, ctx.shop), { minutesAgo: 5 });
    const owner = (await ctx.t.desk.db.prisma.order.findUniqueOrThrow({ where: { id: other } })).buyerId;
    const second = (await requestRefund(ctx.t, { orderId: other, buyerId: owner, reasonCode: 'changed_mind' })).json();
    expect(second.rules.find((r: { id: string }) => r.id === 'usage.live_check').detail).toBe(
      'live check failed (answered 500); decided on recorded usage',
    );
  });

  it('tells the platform to revoke access after a refund, retrying until it is back up', async () => {
    const order = await newOrder(ctx.t, ctx.ids);
    const body = (await requestRefund(ctx.t, { orderId: order, buyerId: ctx.ids.buyer, reasonCode: 'changed_mind' })).json();
    expect(body.status).toBe('refunded');
    const revokes = () =>
      ctx.platform.received.filter((c) => c.path === '/callback' && c.body.type === 'access.revoke' && c.body.orderId === order);

    ctx.platform.mode = { status: 503 };
    await ctx.t.desk.outbox.deliverDue();
    expect(revokes()).toHaveLength(1);
    const message = await ctx.t.desk.db.prisma.outboxMessage.findUniqueOrThrow({ where: { dedupeKey: `access.revoke:${body.refund.id}` } });
    expect(message).toMatchObject({ status: 'pending', attempts: 1, lastError: 'answered 503' });

    // Back up: once the backoff has passed, the revocation is delivered, signed, and only once.
    ctx.platform.mode = { status: 200 };
    await ctx.t.desk.db.prisma.outboxMessage.update({ where: { id: message.id }, data: { availableAt: new Date() } });
    await ctx.t.desk.outbox.deliverDue();
    await ctx.t.desk.outbox.deliverDue();
    expect(revokes()).toHaveLength(2);
    expect(revokes().every((c) => c.signatureValid)).toBe(true);
    expect(revokes()[1]!.body).toMatchObject({ refundRequestId: body.id, refundId: body.refund.id, amountMinor: 9900 });
    expect((await ctx.t.desk.db.prisma.outboxMessage.findUniqueOrThrow({ where: { id: message.id } })).status).toBe('delivered');
  });

  it('sends a refund beyond the trust allowance to a person in the conditional window only (M8)', async () => {
    // An account registered yesterday is "new": one automatic refund in 30 days in the conditional
    // window; the second request there meets a person, with the allowance named in the trace. Inside
    // the cooling-off window no allowance applies (M1).
    const buyerId = uid('b');
    await ctx.t.postEvent(buyerEvent(buyerId, { uplineId: ctx.shop.member, registeredAt: iso(Date.now() - 86_400_000) }));
    const b = { ...ctx.shop, buyer: buyerId };
    expect(
      (await requestRefund(ctx.t, { orderId: await newOrder(ctx.t, b, { minutesAgo: 120 }), buyerId, reasonCode: 'changed_mind' })).json()
        .status,
    ).toBe('refunded');
    const body = (
      await requestRefund(ctx.t, { orderId: await newOrder(ctx.t, b, { minutesAgo: 120 }), buyerId, reasonCode: 'changed_mind' })
    ).json();
    expect(body).toMatchObject({
      status: 'in_review',
      outcome: 'review',
      handoff: { kind: 'policy_review', status: 'open' },
      appeal: null,
    });
    expect(body.rules.find((r: { id: string }) => r.id === 'allowance.trust_tier')).toMatchObject({
      result: 'fail',
      detail: 'tier new: 1 earlier refunds (9900) in 30 days; automatic below 1 refunds',
    });
    expect(body.rules.find((r: { id: string }) => r.id === 'risk.assessment').result).toBe('pass');
    const cooling = (
      await requestRefund(ctx.t, {
        orderId: await newOrder(ctx.t, b, { minutesAgo: 5, amountMinor: 19_900 }),
        buyerId,
        reasonCode: 'changed_mind',
      })
    ).json();
    expect(cooling).toMatchObject({ status: 'refunded', handoff: null, refund: { amountMinor: 19_900 } });
  });
});

describe.skipIf(!postgresUp)('a payment method with no gateway (M20)', () => {
  let t: TestDesk;
  beforeAll(async () => {
    t = await startTestDesk({ store: 'postgres', env: { SANDBOX_PAYMENTS: 'off' } });
  });
  afterAll(() => t?.stop());

  it('goes to a person with a clear reason, never silently nowhere', async () => {
    const ids = await seedShop(t);
    const order = await newOrder(t, ids, { method: 'alipay' });
    const body = (await requestRefund(t, { orderId: order, buyerId: ids.buyer, reasonCode: 'changed_mind' })).json();
    expect(body).toMatchObject({ status: 'in_review', outcome: 'review', refund: null, handoff: { kind: 'policy_review' } });
    expect(body.rules.at(-1)).toEqual({
      id: 'payment.route',
      result: 'fail',
      detail:
        'no refund rail for alipay payments: Alipay (ALIPAY_* variables) is not configured on this desk; refund it by the original route by hand',
    });
    expect(body.explanation.en).toBe(
      'Your refund is approved; a human agent will return it through your original payment method (Alipay) shortly.',
    );
    // The missing rail is a stored fact and a rule of decide(): the stored decision replays to itself (M19).
    const stored = await t.desk.db.prisma.decision.findFirstOrThrow({ where: { refundRequestId: body.id } });
    const facts = storedFactsSchema.parse(stored.facts);
    expect(facts.refundRoute).toEqual({ rail: null, detail: body.rules.at(-1).detail });
    expect(decide(presetFor(facts.product.category), facts)).toMatchObject({
      outcome: stored.outcome,
      decidedBy: stored.decidedBy,
      rules: stored.rules,
    });
  });
});
