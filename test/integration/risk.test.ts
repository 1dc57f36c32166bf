// Risk control through the real desk on PostgreSQL (M11, M12, M17): each velocity rule, a ring with
// its evidence, a block, the family that must not trip, and a refund spike alert.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { product, uid } from '../helpers/events.ts';
import { api, freshBuyer, newOrder, requestRefund, seedShop } from '../helpers/refunds.ts';
import { RiskService } from '../../src/risk/index.ts';
import { postgresUp } from '../helpers/services.ts';
import { startTestDesk, type TestDesk } from '../helpers/test-desk.ts';

type Signal = { kind: string; action: string; evidence: Record<string, unknown> };

describe.skipIf(!postgresUp)('risk control (PostgreSQL)', () => {
  let t: TestDesk;
  let shop: Awaited<ReturnType<typeof seedShop>>;
  beforeAll(async () => {
    t = await startTestDesk({ store: 'postgres' });
    shop = await seedShop(t);
  });
  afterAll(() => t?.stop());
  const prisma = () => t.desk.db.prisma;
  const signalsOf = async (requestId: string): Promise<Signal[]> =>
    (await prisma().riskSignal.findMany({ where: { refundRequestId: requestId }, orderBy: { createdAt: 'asc' } })) as unknown as Signal[];
  const newProduct = async () => {
    const id = uid('p');
    await t.postEvent(product(id, shop.merchant));
    return id;
  };

  it('reviews repeated buy-then-refund from one device, with the orders as evidence', async () => {
    const b = await freshBuyer(t, shop);
    const results = [];
    for (let i = 0; i < 4; i += 1) {
      const order = await newOrder(t, b, { productId: await newProduct() });
      results.push((await requestRefund(t, { orderId: order, buyerId: b.buyer, reasonCode: 'changed_mind' })).json());
    }
    expect(results.slice(0, 3).map((r) => r.status)).toEqual(['refunded', 'refunded', 'refunded']);
    expect(results[3]).toMatchObject({ status: 'in_review', handoff: { kind: 'risk_review' } });
    expect(results[3].rules.find((r: { id: string }) => r.id === 'risk.assessment').detail).toContain('velocity.device');
    const [signal] = await signalsOf(results[3].id);
    expect(signal).toMatchObject({ kind: 'velocity.device', action: 'review' });
    expect((signal!.evidence.orders as string[]).length).toBe(4);
    expect(signal!.evidence.detail).toMatch(/4 orders refunded or asked to refund from device d_/);
  });

  it('assesses the same on its own as inside the request: the first evidence read alone is the one the context read', async () => {
    // The workflow reads risk's first evidence inside its context statement (request-context-store.ts);
    // a caller with nothing else to read (bench/scale.ts) has RiskService read it. Same rows, same answer.
    const b = await freshBuyer(t, shop);
    const device = `d_alone_${uid('x')}`;
    const orders = [];
    for (let i = 0; i < 3; i += 1) {
      const order = await newOrder(t, b, { productId: await newProduct(), device: { id: device, ip: '2001:db8:5::1' } });
      orders.push(order);
      await requestRefund(t, { orderId: order, buyerId: b.buyer, reasonCode: 'changed_mind' });
    }
    const next = await newOrder(t, b, { productId: await newProduct(), device: { id: device, ip: '2001:db8:5::1' } });
    const stored = await prisma().order.findUniqueOrThrow({ where: { id: next } });
    const risk = new RiskService(t.desk.db.sql, t.desk.config.risk, t.desk.log, t.desk.metrics);
    const alone = await risk.assess({
      buyerId: b.buyer,
      orderId: next,
      productId: stored.productId,
      deviceId: device,
      ip: '2001:db8:5::1',
      now: new Date(),
    });
    expect(alone).toMatchObject({ action: 'review', signals: [expect.objectContaining({ kind: 'velocity.device' })] });
    expect([...(alone.signals[0]!.evidence!.orders as string[])].sort()).toEqual([...orders, next].sort());
    const inside = (await requestRefund(t, { orderId: next, buyerId: b.buyer, reasonCode: 'changed_mind' })).json();
    expect(inside.status).toBe('in_review');
    const [signal] = await signalsOf(inside.id);
    expect(signal).toMatchObject({ kind: 'velocity.device', action: 'review' });
    expect([...(signal!.evidence.orders as string[])].sort()).toEqual([...orders, next].sort());
  });

  it('reviews many accounts asking for refunds from one device', async () => {
    const device = { id: `d_shared_${uid('x')}` };
    const statuses = [];
    for (let i = 0; i < 3; i += 1) {
      const b = await freshBuyer(t, shop);
      const order = await newOrder(t, b, { productId: await newProduct(), device: { ...device, ip: `2001:db8:9::${i + 1}` } });
      statuses.push((await requestRefund(t, { orderId: order, buyerId: b.buyer, reasonCode: 'changed_mind' })).json());
    }
    expect(statuses[2].status).toBe('in_review');
    expect((await signalsOf(statuses[2].id)).map((s) => s.kind)).toEqual(['velocity.device.accounts']);
  });

  it('reviews many refunds from one IP at its own, higher threshold', async () => {
    const ip = '2001:db8:77::1';
    const results = [];
    for (let i = 0; i < 6; i += 1) {
      const b = await freshBuyer(t, shop);
      const order = await newOrder(t, b, { productId: await newProduct(), device: { id: `d_${uid('ip')}`, ip } });
      results.push((await requestRefund(t, { orderId: order, buyerId: b.buyer, reasonCode: 'changed_mind' })).json());
    }
    expect(results.slice(0, 5).every((r) => r.status === 'refunded')).toBe(true);
    expect(results[5].status).toBe('in_review');
    expect((await signalsOf(results[5].id)).map((s) => s.kind)).toEqual(['velocity.ip']);
  });

  it('finds a ring: linked accounts refunding the same product go to review, named with their links, open requests too', async () => {
    const ring = await newProduct();
    const payer = `alipay_${uid('acct')}`;
    const [a, b, c] = [await freshBuyer(t, shop), await freshBuyer(t, shop), await freshBuyer(t, shop)];
    const first = (
      await requestRefund(t, {
        orderId: await newOrder(t, a, { productId: ring, payerAccount: payer }),
        buyerId: a.buyer,
        reasonCode: 'changed_mind',
      })
    ).json();
    // Past the cooling-off window "cannot use" gets a guide first: an open request for the ring to reach.
    const second = (
      await requestRefund(t, {
        orderId: await newOrder(t, b, { productId: ring, payerAccount: payer, minutesAgo: 60 }),
        buyerId: b.buyer,
        reasonCode: 'cannot_use',
      })
    ).json();
    expect([first.status, second.status]).toEqual(['refunded', 'troubleshooting']);

    const third = (
      await requestRefund(t, {
        orderId: await newOrder(t, c, { productId: ring, payerAccount: payer }),
        buyerId: c.buyer,
        reasonCode: 'changed_mind',
      })
    ).json();
    expect(third).toMatchObject({ status: 'in_review', handoff: { kind: 'risk_review' } });
    const [signal] = await signalsOf(third.id);
    expect(signal!.kind).toBe('ring');
    expect(signal!.evidence.accounts).toEqual([a.buyer, b.buyer, c.buyer].sort());
    expect(signal!.evidence.links).toEqual(
      expect.arrayContaining([expect.objectContaining({ reasons: [`same paying account ${payer}`] })]),
    );
    // The second account's open request is now with a person too, with the same signal.
    const escalated = (await api(t, 'GET', `/v1/refund-requests/${second.id}`)).json();
    expect(escalated).toMatchObject({ status: 'in_review', handoff: { kind: 'risk_review', status: 'open' } });
    expect((await signalsOf(second.id)).map((s) => s.kind)).toEqual(['ring']);
  });

  it('links accounts bound from one Telegram account (a chat session is a sighting) into a ring', async () => {
    const product = await newProduct();
    const telegramUser = `telegram:${Date.now()}`;
    const results = [];
    for (let i = 0; i < 3; i += 1) {
      const b = await freshBuyer(t, shop);
      const { token } = await t.desk.chatTokens.issue(b.buyer);
      await t.desk.chatTokens.bind(token, 'telegram', `${telegramUser}:${i}`, { deviceId: telegramUser });
      const order = await newOrder(t, b, { productId: product });
      results.push((await requestRefund(t, { orderId: order, buyerId: b.buyer, reasonCode: 'changed_mind' })).json());
    }
    expect(results[2].status).toBe('in_review');
    const [signal] = await signalsOf(results[2].id);
    expect(signal!.kind).toBe('ring');
    expect(JSON.stringify(signal!.evidence.links)).toContain(`same device ${telegramUser}`);
  });

  it('does not take a family sharing one home IP and buying different products for a ring', async () => {
    const home = '2001:db8:f00d::1';
    const results = [];
    for (let i = 0; i < 3; i += 1) {
      const member = await freshBuyer(t, shop);
      const order = await newOrder(t, member, { productId: await newProduct(), device: { id: `d_family_${i}_${uid('f')}`, ip: home } });
      results.push((await requestRefund(t, { orderId: order, buyerId: member.buyer, reasonCode: 'changed_mind' })).json());
    }
    expect(results.map((r) => r.status)).toEqual(['refunded', 'refunded', 'refunded']);
    for (const r of results) expect(await signalsOf(r.id)).toEqual([]);
  });

  it('blocks at the block threshold: rejected with the appeal offered, no ticket, and the buyer becomes restricted', async () => {
    const device = { id: `d_farm_${uid('x')}` };
    let last;
    let lastBuyer = '';
    for (let i = 0; i < 6; i += 1) {
      const b = await freshBuyer(t, shop);
      const order = await newOrder(t, b, { productId: await newProduct(), device: { ...device, ip: `2001:db8:fa::${i + 1}` } });
      last = (await requestRefund(t, { orderId: order, buyerId: b.buyer, reasonCode: 'changed_mind' })).json();
      lastBuyer = b.buyer;
    }
    expect(last).toMatchObject({
      status: 'rejected',
      outcome: 'rejected',
      handoff: null,
      refund: null,
      appeal: { href: `/v1/refund-requests/${last.id}/appeal`, method: 'POST' },
    });
    expect(last.explanation.en).toMatch(/appeal to a person/i);
    expect(last.explanation.en).not.toMatch(/device|risk|fraud/i);
    expect((await signalsOf(last.id)).map((s) => [s.kind, s.action])).toContainEqual(['velocity.device.block', 'block']);
    // The order is not held: the buyer can appeal through a person.
    expect((await prisma().refundRequest.findUniqueOrThrow({ where: { id: last.id } })).activeOrderKey).toBeNull();
    const next = await newOrder(t, { ...shop, buyer: lastBuyer }, { productId: await newProduct(), device: { id: `d_other_${uid('y')}` } });
    const after = (await requestRefund(t, { orderId: next, buyerId: lastBuyer, reasonCode: 'changed_mind' })).json();
    expect(after).toMatchObject({ outcome: 'review', handoff: { kind: 'risk_review' } });
    expect(after.rules.find((r: { id: string }) => r.id === 'buyer.restricted')).toMatchObject({
      result: 'fail',
      detail: 'restricted buyer: a person decides every refund',
    });
  });

  it('raises one alert for a spike of refund requests on a product and its merchant (M17)', async () => {
    const merchant = uid('m');
    await t.postEvent({
      id: uid('evt'),
      type: 'merchant.upserted',
      occurredAt: new Date().toISOString(),
      data: { id: merchant, name: 'Spiky shop' },
    });
    const spiky = uid('p');
    await t.postEvent(product(spiky, merchant));
    for (let i = 0; i < 10; i += 1) {
      const b = await freshBuyer(t, shop);
      await requestRefund(t, { orderId: await newOrder(t, b, { productId: spiky }), buyerId: b.buyer, reasonCode: 'unsatisfied' });
    }
    const alerts = await t.desk.monitor.scan();
    expect(alerts.filter((a) => a.merchantId === merchant).map((a) => [a.kind, a.subjectId, a.recent])).toEqual([
      ['spike.product', spiky, 10],
      ['spike.merchant', merchant, 10],
    ]);
    expect((await t.desk.monitor.scan()).filter((a) => a.merchantId === merchant)).toEqual([]); // once per hour
    expect(await prisma().riskSignal.count({ where: { subjectId: { in: [spiky, merchant] } } })).toBe(2);
    const metrics = (await t.desk.server.inject('/metrics')).body;
    expect(metrics).toMatch(/refund_desk_risk_alerts_total\{kind="spike.product"\} [1-9]/);
    expect(metrics).toMatch(/refund_desk_risk_signals_total\{kind="ring",action="review"\} [1-9]/);
  });
});
