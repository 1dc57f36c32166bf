// M3, M16, M22 through the API on PostgreSQL: a refusal past the windows, by a lock or by a risk
// block offers the appeal and opens no ticket; the buyer's appeal opens one, once, for a person who
// can then decide it; a refusal by a usage condition (M22) opened its ticket with the decision.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, deviceOf, freshBuyer, newOrder, requestRefund, seedShop } from '../helpers/refunds.ts';
import { postgresUp } from '../helpers/services.ts';
import { startTestDesk, type TestDesk } from '../helpers/test-desk.ts';

describe.skipIf(!postgresUp)('appealing a refusal (PostgreSQL)', () => {
  let t: TestDesk;
  let shop: Awaited<ReturnType<typeof seedShop>>;
  beforeAll(async () => {
    // A device's second refunded order in a day is blocked here, so a risk block is quick to make.
    t = await startTestDesk({ store: 'postgres', env: { RISK_THRESHOLDS: JSON.stringify({ deviceRefundsBlock: 2 }) } });
    shop = await seedShop(t);
  });
  afterAll(() => t?.stop());
  const prisma = () => t.desk.db.prisma;
  const appeal = (id: string, body?: unknown) => api(t, 'POST', `/v1/refund-requests/${id}/appeal`, body);

  async function expiredRefusal() {
    const ids = await freshBuyer(t, shop);
    const order = await newOrder(t, ids, { minutesAgo: 30 * 60 });
    const body = (await requestRefund(t, { orderId: order, buyerId: ids.buyer, reasonCode: 'changed_mind' })).json();
    return { ids, order, body };
  }

  it("past 24 hours: refused with the appeal offered, no ticket; the appeal opens one, with the buyer's words, once", async () => {
    const { ids, body } = await expiredRefusal();
    expect(body).toMatchObject({
      status: 'rejected',
      outcome: 'rejected',
      handoff: null,
      appeal: { href: `/v1/refund-requests/${body.id}/appeal`, method: 'POST' },
    });
    expect(body.explanation.zh).toContain('您可以向人工客服提出申诉');
    expect(await prisma().handoff.count({ where: { refundRequestId: body.id } })).toBe(0);
    expect((await api(t, 'GET', `/v1/refund-requests/${body.id}`)).json().appeal).toEqual(body.appeal);

    const first = await appeal(body.id, { buyerId: ids.buyer, text: '我出差了，24小时内没法申请 <b>please</b>' });
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({ id: body.id, status: 'rejected', handoff: { kind: 'appeal', status: 'open' }, appeal: null });
    const handoff = await prisma().handoff.findFirstOrThrow({ where: { refundRequestId: body.id } });
    expect(handoff).toMatchObject({
      kind: 'appeal',
      status: 'open',
      buyerId: ids.buyer,
      reason: "window.expired · the buyer's words: 我出差了，24小时内没法申请 <b>please</b>",
    });
    const notices = await prisma().notification.findMany({ where: { recipientId: ids.buyer, kind: 'refund.appealed' } });
    expect(notices).toHaveLength(1);
    expect(notices[0]!.body).toContain('申诉已提交给人工客服');

    // A repeat, and several at once, answer with the same appeal.
    const again = await Promise.all([appeal(body.id), appeal(body.id, {}), appeal(body.id, { text: 'again' })]);
    for (const r of again) expect(r.json()).toMatchObject({ handoff: { id: handoff.id } });
    expect(await prisma().handoff.count({ where: { refundRequestId: body.id } })).toBe(1);
  });

  it('opens one appeal when many arrive at once', async () => {
    const { body } = await expiredRefusal();
    const answers = await Promise.all(Array.from({ length: 8 }, () => appeal(body.id)));
    expect(answers.map((a) => a.statusCode)).toEqual(Array(8).fill(200));
    expect(new Set(answers.map((a) => a.json().handoff.id)).size).toBe(1);
    expect(await prisma().handoff.count({ where: { refundRequestId: body.id, kind: 'appeal' } })).toBe(1);
  });

  it("a person decides the appeal: approving it refunds by the original route; after a person's decision no appeal is offered again", async () => {
    const { body } = await expiredRefusal();
    await t.desk.refunds.appeal(body.id);
    const approved = await t.desk.agentDecisions.approve(body.id, { id: 'U_AGENT' });
    expect(approved).toMatchObject({ executed: true, view: { status: 'refunded', appeal: null } });

    const second = await expiredRefusal();
    await t.desk.refunds.appeal(second.body.id, second.ids.buyer, '请再看看');
    const rejected = await t.desk.agentDecisions.reject(second.body.id, { id: 'U_AGENT' }, 'window');
    expect(rejected.view).toMatchObject({ status: 'rejected', appeal: null });
    // The appeal was heard: asking again answers with it, and opens nothing new.
    expect((await appeal(second.body.id)).json().handoff).toMatchObject({ kind: 'appeal', status: 'resolved' });
    expect(await prisma().handoff.count({ where: { refundRequestId: second.body.id } })).toBe(1);
  });

  it('a key-action lock (M4) past the windows offers the appeal too; inside them it and a usage condition (M22) open the ticket at once, and appealing returns it', async () => {
    const ids = await freshBuyer(t, shop);
    const locked = (
      await requestRefund(t, {
        orderId: await newOrder(t, ids, { minutesAgo: 3 * 24 * 60, usage: ['file.downloaded'] }),
        buyerId: ids.buyer,
        reasonCode: 'changed_mind',
      })
    ).json();
    expect(locked).toMatchObject({ status: 'rejected', handoff: null, appeal: { method: 'POST' } });
    expect(locked.rules.find((r: { result: string }) => r.result === 'fail').id).toBe('lock.file_downloaded');
    const fresh = (
      await requestRefund(t, {
        orderId: await newOrder(t, ids, { minutesAgo: 5, usage: ['file.downloaded'] }),
        buyerId: ids.buyer,
        reasonCode: 'changed_mind',
      })
    ).json();
    expect(fresh).toMatchObject({ status: 'rejected', handoff: { kind: 'appeal', status: 'open' }, appeal: null });

    const other = await freshBuyer(t, shop);
    const m22 = (
      await requestRefund(t, {
        orderId: await newOrder(t, other, { minutesAgo: 120, progress: 0.2 }),
        buyerId: other.buyer,
        reasonCode: 'unsatisfied',
      })
    ).json();
    expect(m22).toMatchObject({ status: 'rejected', handoff: { kind: 'appeal', status: 'open' }, appeal: null });
    const same = await appeal(m22.id, { buyerId: other.buyer });
    expect(same.statusCode).toBe(200);
    expect(same.json().handoff.id).toBe(m22.handoff.id);
    expect(await prisma().handoff.count({ where: { refundRequestId: m22.id } })).toBe(1);
  });

  it('a risk block lets go of the order; its appeal takes the order back for a person, unless another request holds it', async () => {
    const ids = await freshBuyer(t, shop);
    const device = deviceOf(`${ids.buyer}_phone`);
    const first = (
      await requestRefund(t, {
        orderId: await newOrder(t, ids, { minutesAgo: 5, device }),
        buyerId: ids.buyer,
        reasonCode: 'changed_mind',
        device,
      })
    ).json();
    expect(first.status).toBe('refunded');
    const orderId = await newOrder(t, ids, { minutesAgo: 5, device });
    const blocked = (await requestRefund(t, { orderId, buyerId: ids.buyer, reasonCode: 'changed_mind', device })).json();
    expect(blocked).toMatchObject({ status: 'rejected', handoff: null, appeal: { method: 'POST' } });
    expect(blocked.explanation.en).not.toMatch(/risk|device|velocity/i);
    expect(await prisma().refundRequest.findUniqueOrThrow({ where: { id: blocked.id } })).toMatchObject({ activeOrderKey: null });

    const appealed = (await appeal(blocked.id, { buyerId: ids.buyer })).json();
    expect(appealed).toMatchObject({ handoff: { kind: 'appeal', status: 'open' }, appeal: null });
    expect(await prisma().refundRequest.findUniqueOrThrow({ where: { id: blocked.id } })).toMatchObject({
      activeOrderKey: orderId,
      closedAt: null,
    });
    expect((await t.desk.agentDecisions.approve(blocked.id, { id: 'U_AGENT' })).view.status).toBe('refunded');

    // Blocked again, and the buyer asks again before appealing: the newer request holds the order.
    const orderB = await newOrder(t, ids, { minutesAgo: 5, device });
    const blockedB = (await requestRefund(t, { orderId: orderB, buyerId: ids.buyer, reasonCode: 'changed_mind', device })).json();
    expect(blockedB.status).toBe('rejected');
    // From another phone: no velocity there, but the block made the buyer restricted, so a person decides.
    const retry = (
      await requestRefund(t, { orderId: orderB, buyerId: ids.buyer, reasonCode: 'changed_mind', device: deviceOf(`${ids.buyer}_tablet`) })
    ).json();
    expect(retry).toMatchObject({ outcome: 'review', handoff: { kind: 'risk_review' } });
    expect(retry.rules.find((r: { result: string }) => r.result === 'fail').id).toBe('buyer.restricted');
    const conflictAnswer = await appeal(blockedB.id);
    expect(conflictAnswer.statusCode).toBe(409);
    expect(conflictAnswer.json().error).toMatchObject({ code: 'refund_request_open', existingRequestId: retry.id });
    expect(await prisma().handoff.count({ where: { refundRequestId: blockedB.id } })).toBe(0);
  });

  it("answers bad appeals clearly: unknown, someone else's, not a refusal, withdrawn, malformed", async () => {
    const { ids, body } = await expiredRefusal();
    const unknown = await appeal('rr_doesnotexist');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error).toMatchObject({ code: 'refund_request_not_found' });
    const foreign = await appeal(body.id, { buyerId: shop.buyer });
    expect(foreign.statusCode).toBe(403);
    expect(foreign.json().error).toMatchObject({ code: 'not_request_owner' });

    const approved = (
      await requestRefund(t, { orderId: await newOrder(t, ids, { minutesAgo: 5 }), buyerId: ids.buyer, reasonCode: 'changed_mind' })
    ).json();
    expect(approved).toMatchObject({ status: 'refunded', appeal: null });
    const notOffered = await appeal(approved.id);
    expect(notOffered.statusCode).toBe(409);
    expect(notOffered.json().error).toMatchObject({ code: 'appeal_not_offered', status: 'refunded' });

    const withdrawn = await expiredRefusal();
    expect((await api(t, 'POST', `/v1/refund-requests/${withdrawn.body.id}/cancel`, {})).json().status).toBe('cancelled');
    expect((await appeal(withdrawn.body.id)).json().error).toMatchObject({ code: 'appeal_not_offered', status: 'cancelled' });

    expect((await appeal('not-an-id')).statusCode).toBe(400);
    for (const bad of [{ text: 'x'.repeat(1_001) }, { text: '   ' }, { text: 42 }, { reason: 'extra field' }, []]) {
      const r = await appeal(body.id, bad);
      expect(r.statusCode, JSON.stringify(bad)).toBe(400);
    }
    const invalidJson = await t.desk.server.inject({
      method: 'POST',
      url: `/v1/refund-requests/${body.id}/appeal`,
      headers: { authorization: `Bearer ${t.desk.config.platform.apiKey}`, 'content-type': 'application/json' },
      payload: '{"text":',
    });
    expect(invalidJson.statusCode).toBe(400);
    const noKey = await t.desk.server.inject({ method: 'POST', url: `/v1/refund-requests/${body.id}/appeal` });
    expect(noKey.statusCode).toBe(401);
    // Nothing above opened an appeal.
    expect(await prisma().handoff.count({ where: { refundRequestId: body.id } })).toBe(0);
  });
});
