// GET /v1/merchants/{id}/report (M27): the demo merchant's day after M21, M22 and M23 were asked for.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO } from '../../src/demo/demo-shop.ts';
import { seedDemoShop } from '../../src/demo/seed-demo.ts';
import { api, askDemoRefund } from '../helpers/refunds.ts';
import { postgresUp } from '../helpers/services.ts';
import { startTestDesk, type TestDesk } from '../helpers/test-desk.ts';

describe.skipIf(!postgresUp)('merchant report API', () => {
  let t: TestDesk;
  const to = new Date(Date.now() + 60_000);
  const from = new Date(to.getTime() - 24 * 3_600_000);
  beforeAll(async () => {
    t = await startTestDesk({ store: 'postgres' });
    await seedDemoShop(t.desk.db.prisma);
    expect((await askDemoRefund(t, DEMO.orders.m21, 'changed_mind', '冲动消费了，不想要了')).json().status).toBe('refunded');
    expect((await askDemoRefund(t, DEMO.orders.m22, 'unsatisfied', '内容不符预期')).json().status).toBe('rejected');
    expect((await askDemoRefund(t, DEMO.orders.m23, 'cannot_use', '视频播放不了')).json().status).toBe('troubleshooting');
  }, 60_000);
  afterAll(async () => t?.stop());

  it("gives the period's figures and the change against the period before", async () => {
    const r = await api(t, 'GET', `/v1/merchants/${DEMO.merchantId}/report?from=${from.toISOString()}&to=${to.toISOString()}`);
    expect(r.statusCode).toBe(200);
    const report = r.json();
    expect(report.period).toEqual({ from: from.toISOString(), to: to.toISOString() });
    // Orders paid in the last 24 h: M21, M22, Alice's M21, the copied key and the membership.
    expect(report.figures).toMatchObject({ orders: 5, requests: 3, refunded: 1, refundedMinor: 9_900, refundRate: 0.2 });
    expect(report.figures.byReason).toEqual([
      { reason: 'changed_mind', requests: 1, refunded: 1, refundedMinor: 9_900 },
      { reason: 'unsatisfied', requests: 1, refunded: 0, refundedMinor: 0 },
      { reason: 'cannot_use', requests: 1, refunded: 0, refundedMinor: 0 },
    ]);
    expect(report.figures.byProduct).toEqual([
      expect.objectContaining({ productId: DEMO.products.course, orders: 3, requests: 3, refunded: 1, unsatisfied: 1, standsOut: false }),
    ]);
    expect(report.figures.behaviour).toMatchObject({
      within15m: 1,
      within24h: 1,
      within7d: 1,
      later: 0,
      courseProgressMedian: 0.01,
      usedBeforeRequest: 2,
    });
    expect(report.figures.troubleshooting).toEqual({ guided: 1, solved: 0, escalated: 0, avoidedMinor: 0 });
    // Closed: M21 (no person) and M22 (refused, with a person reviewing the appeal).
    expect(report.figures.automation).toEqual({ closed: 2, withoutHuman: 1, share: 0.5 });
    expect(report.previous).toMatchObject({ orders: 0, requests: 0, refundRate: null });
    expect(report.change).toEqual({ requests: 3, refunded: 1, refundedMinor: 9_900, refundRate: null });
  });

  it('validates the period and the merchant, and requires the API key', async () => {
    const bad = await api(t, 'GET', `/v1/merchants/${DEMO.merchantId}/report?from=yesterday&to=${to.toISOString()}`);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.field).toContain('from');
    const backwards = await api(t, 'GET', `/v1/merchants/${DEMO.merchantId}/report?from=${to.toISOString()}&to=${from.toISOString()}`);
    expect(backwards.statusCode).toBe(400);
    const tooLong = await api(t, 'GET', `/v1/merchants/${DEMO.merchantId}/report?from=2024-01-01&to=2026-01-01`);
    expect(tooLong.statusCode).toBe(400);
    expect((await api(t, 'GET', `/v1/merchants/m_nobody/report?from=2026-11-01&to=2026-11-02`)).statusCode).toBe(404);
    expect(
      (await t.desk.server.inject({ method: 'GET', url: `/v1/merchants/${DEMO.merchantId}/report?from=2026-11-01&to=2026-11-02` }))
        .statusCode,
    ).toBe(401);
  });
});
