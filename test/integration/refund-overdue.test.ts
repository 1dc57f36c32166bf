// A refund pending longer than its rail's usual settlement time goes to a person (finding 14 of
// issue 16): one alert (log, metric, Slack's risk channel) and one handoff, however many times the
// job runs and on however many instances; one not yet overdue is left alone. On PostgreSQL and
// Redis, with two desks on the same database standing in for two instances, and Slack's Web API
// recorded.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Desk } from '../../src/desk.ts';
import { SETTLEMENT_TIMES } from '../../src/payments/settlement-times.ts';
import { freshBuyer, newOrder, requestRefund, seedShop } from '../helpers/refunds.ts';
import { postgresUp, redisUp } from '../helpers/services.ts';
import { SLACK, SlackRecorder, slackEnv } from '../helpers/slack.ts';
import { startTestDesk, type TestDesk } from '../helpers/test-desk.ts';

describe.skipIf(!postgresUp || !redisUp)("refunds pending past their rail's settlement time", () => {
  const slack = new SlackRecorder();
  let t: TestDesk;
  let other: Desk;

  beforeAll(async () => {
    await slack.start();
    t = await startTestDesk({ store: 'postgres', redis: true, env: slackEnv(slack) });
    other = await t.anotherInstance(slackEnv(slack));
  });
  afterAll(async () => {
    await other?.close();
    await t?.stop();
    await slack.stop();
  });

  const alertsTotal = async (desk: Desk) =>
    (await desk.metrics.registry.getSingleMetricAsString('refund_desk_payment_alerts_total'))
      .split('\n')
      .filter((l) => l.startsWith('refund_desk_payment_alerts_total{') && l.includes('kind="overdue"'))
      .reduce((n, l) => n + Number(l.split(' ').pop()), 0);

  it('raises one alert and opens one handoff per overdue refund, across runs and instances', async () => {
    const prisma = t.desk.db.prisma;
    const shop = await seedShop(t);
    const ask = async () => {
      const ids = await freshBuyer(t, shop);
      const order = await newOrder(t, ids);
      t.desk.sandbox!.inject('pending');
      return (await requestRefund(t, { orderId: order, buyerId: ids.buyer, reasonCode: 'changed_mind' })).json();
    };
    const overdue = await ask();
    const recent = await ask();
    expect([overdue.status, recent.status]).toEqual(['refund_pending', 'refund_pending']);
    const usual = SETTLEMENT_TIMES.sandbox!.overdueAfterMs;
    await prisma.refund.update({ where: { id: overdue.refund.id }, data: { createdAt: new Date(Date.now() - usual - 60_000) } });
    await prisma.refund.update({ where: { id: recent.refund.id }, data: { createdAt: new Date(Date.now() - usual / 2) } });

    // The job on two instances at once, and again later.
    const runs = await Promise.all([t.desk.refunds.flagOverdue(), other.refunds.flagOverdue(), t.desk.refunds.flagOverdue()]);
    expect(runs.reduce((a, b) => a + b, 0)).toBe(1);
    expect(await other.refunds.flagOverdue()).toBe(0);
    await Promise.all([t.desk.outbox.deliverDue(), other.outbox.deliverDue()]);
    expect(await t.desk.refunds.flagOverdue()).toBe(0);
    await t.desk.outbox.deliverDue();

    const handoffs = await prisma.handoff.findMany({ where: { reason: { startsWith: 'refund_overdue' } } });
    expect(handoffs.map((h) => [h.refundRequestId, h.kind, h.status])).toEqual([[overdue.id, 'policy_review', 'open']]);
    expect(handoffs[0]!.reason).toMatch(/pending for \d+ min, past sandbox's usual settlement time of 10 min/);
    const posted = slack
      .of('chat.postMessage')
      .filter((c) => c.args.channel === SLACK.riskChannel && String(c.args.text).includes(overdue.refund.id));
    expect(posted).toHaveLength(1);
    expect(String(posted[0]!.args.text)).toContain('Payment alert from sandbox');
    expect((await alertsTotal(t.desk)) + (await alertsTotal(other))).toBe(1);
    expect(slack.of('chat.postMessage').some((c) => String(c.args.text).includes(recent.refund.id))).toBe(false);
    // The refund itself is untouched: still pending, still asked about, never sent again by the desk.
    expect(await prisma.refund.findUniqueOrThrow({ where: { id: overdue.refund.id } })).toMatchObject({
      status: 'pending',
      escalatedAt: expect.any(Date),
    });
    const sends = t.desk.sandbox!.calls.filter((c) => c.refundId === overdue.refund.id).length;
    t.desk.sandbox!.settlePending(overdue.refund.id);
    await t.desk.refunds.completePending({ olderThanMs: 0 });
    expect((await prisma.refund.findUniqueOrThrow({ where: { id: overdue.refund.id } })).status).toBe('succeeded');
    expect(t.desk.sandbox!.calls.filter((c) => c.refundId === overdue.refund.id)).toHaveLength(sends);
  });
});
