// A property-based test through the real desk (API, workflow, SQL, sandbox gateway) on PostgreSQL:
// random interleavings of orders, usage, commission payouts, refund requests, gateway results
// (success, refusal, hang then completion) and withdrawals. After every step the ledger must hold:
// no commission taken back twice or beyond what was accrued, every balance the sum of its entries,
// the chain's take-back exactly proportional to what was refunded, and no freeze left behind by a
// request that has ended.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { event, iso, usage } from '../helpers/events.ts';
import { api, freshBuyer, newOrder, requestRefund, seedShop } from '../helpers/refunds.ts';
import { postgresUp } from '../helpers/services.ts';
import { startTestDesk, type TestDesk } from '../helpers/test-desk.ts';

type Step =
  | { kind: 'order'; minutesAgo: number }
  | { kind: 'usage'; pick: number; progress: number }
  | { kind: 'paid'; pick: number }
  | { kind: 'request'; pick: number; reason: 'changed_mind' | 'unsatisfied' | 'cannot_use' | 'other'; fault: 'none' | 'hard' | 'hang' }
  | { kind: 'complete' }
  | { kind: 'cancel'; pick: number };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('order' as const), minutesAgo: fc.constantFrom(5, 120, 3000) }) },
  fc.record({ kind: fc.constant('usage' as const), pick: fc.nat(), progress: fc.constantFrom(0.05, 0.2, 0.5) }),
  fc.record({ kind: fc.constant('paid' as const), pick: fc.nat() }),
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('request' as const),
      pick: fc.nat(),
      reason: fc.constantFrom('changed_mind', 'unsatisfied', 'cannot_use', 'other' as const),
      fault: fc.constantFrom('none', 'none', 'hard', 'hang' as const),
    }),
  },
  fc.constant({ kind: 'complete' as const }),
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat() }) },
);

describe.skipIf(!postgresUp)('commission ledger under random interleavings (PostgreSQL)', () => {
  let t: TestDesk;
  let shop: Awaited<ReturnType<typeof seedShop>>;
  beforeAll(async () => {
    t = await startTestDesk({ store: 'postgres', env: { GATEWAY_TIMEOUT_MS: '150' } });
    shop = await seedShop(t);
  });
  afterAll(() => t?.stop());

  async function checkInvariants(orders: string[]) {
    const prisma = t.desk.db.prisma;
    for (const orderId of orders) {
      const [order, entries, refunds] = await Promise.all([
        prisma.order.findUniqueOrThrow({ where: { id: orderId } }),
        prisma.commissionEntry.findMany({ where: { orderId } }),
        prisma.refund.aggregate({ where: { orderId, status: 'succeeded' }, _sum: { amountMinor: true } }),
      ]);
      const accrued = entries.filter((e) => e.kind === 'accrued');
      const takenBack = entries.filter((e) => e.kind === 'reversed' || e.kind === 'clawed_back');
      for (const a of accrued) {
        const mine = takenBack.filter((e) => e.beneficiaryId === a.beneficiaryId && e.level === a.level);
        expect(mine.reduce((s, e) => s + e.amountMinor, 0)).toBeLessThanOrEqual(a.amountMinor);
        // One reversal step per refund request at most (never reversed twice).
        const perRequest = new Set(mine.map((e) => `${e.refundRequestId}:${e.kind}`));
        expect(perRequest.size).toBe(mine.length);
      }
      const accruedTotal = accrued.reduce((s, e) => s + e.amountMinor, 0);
      const refunded = refunds._sum.amountMinor ?? 0;
      expect(takenBack.reduce((s, e) => s + e.amountMinor, 0)).toBe(Math.round(accruedTotal * (refunded / order.amountMinor)));
      // A freeze stays only while its request is still alive.
      const frozenBy = new Set(entries.filter((e) => e.kind === 'frozen').map((e) => e.refundRequestId!));
      for (const requestId of frozenBy) {
        const ended = entries.some((e) => e.refundRequestId === requestId && e.kind !== 'frozen');
        if (ended) continue;
        const request = await prisma.refundRequest.findUniqueOrThrow({ where: { id: requestId } });
        expect(['in_review', 'refund_pending', 'refund_failed']).toContain(request.status);
      }
    }
    for (const beneficiaryId of [shop.member, shop.leader]) {
      const account = (await api(t, 'GET', `/v1/commissions?beneficiaryId=${beneficiaryId}&limit=1000`)).json();
      const sum = await prisma.commissionEntry.aggregate({ where: { beneficiaryId }, _sum: { balanceDeltaMinor: true } });
      expect(account.balanceMinor).toBe(sum._sum.balanceDeltaMinor ?? 0);
      const taken = account.commissions.reduce(
        (s: number, c: { reversedMinor: number; clawedBackMinor: number }) => s + c.reversedMinor + c.clawedBackMinor,
        0,
      );
      const accrued = account.commissions.reduce((s: number, c: { accruedMinor: number }) => s + c.accruedMinor, 0);
      expect(taken).toBeLessThanOrEqual(accrued);
    }
  }

  it('keeps every invariant after every step', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(stepArb, { minLength: 3, maxLength: 12 }), async (steps) => {
        const orders: Array<{ id: string; buyer: string }> = [];
        const requests: string[] = [];
        for (const step of steps) {
          const pickOrder = (n: number) => orders[n % Math.max(1, orders.length)];
          switch (step.kind) {
            case 'order': {
              const b = await freshBuyer(t, shop);
              orders.push({ id: await newOrder(t, b, { minutesAgo: step.minutesAgo }), buyer: b.buyer });
              break;
            }
            case 'usage': {
              const o = pickOrder(step.pick);
              if (o) await t.postEvent(usage(o.id, 'course.progress', { value: step.progress }));
              break;
            }
            case 'paid': {
              const o = pickOrder(step.pick);
              if (o)
                await t.postEvent(event('commission.paid', { orderId: o.id, beneficiaryId: shop.member, amountMinor: 990, at: iso() }));
              break;
            }
            case 'request': {
              const o = pickOrder(step.pick);
              if (!o) break;
              if (step.fault !== 'none') t.desk.sandbox!.inject(step.fault);
              const r = await requestRefund(t, { orderId: o.id, buyerId: o.buyer, reasonCode: step.reason });
              expect([201, 409]).toContain(r.statusCode);
              if (r.statusCode === 201) requests.push(r.json().id);
              // A fault not consumed by a payout must not leak into the next step.
              t.desk.sandbox!.clearFaults();
              break;
            }
            case 'complete':
              await t.desk.refunds.completePending({ olderThanMs: 0 });
              break;
            case 'cancel': {
              const id = requests[step.pick % Math.max(1, requests.length)];
              if (id) expect([200, 409]).toContain((await api(t, 'POST', `/v1/refund-requests/${id}/cancel`)).statusCode);
              break;
            }
          }
          await checkInvariants(orders.map((o) => o.id));
        }
      }),
      { numRuns: 12 },
    );
  }, 240_000);
});
