// RefundWorkflow.request()'s steps on their own (src/refunds/request-steps.ts): what decide writes for
// each kind of outcome, that the payout is called only for an approval and under the refund's own id,
// and that the answer is built from what the request wrote. (The whole path runs against PostgreSQL
// and PGlite in test/integration/refund-*.test.ts.)
import { describe, expect, it, vi } from 'vitest';
import type { LedgerEntry } from '../../src/commission/ledger.ts';
import { presetFor } from '../../src/policy/index.ts';
import { decideRequest, payOut, settleAndTell, type Gathered, type PayoutState, type Persisted } from '../../src/refunds/request-steps.ts';
import type { RequestContext } from '../../src/refunds/request-context-store.ts';
import type { RefundRequestView } from '../../src/refunds/refund-view.ts';
import { facts } from './policy/facts-builder.ts';

const accrued: LedgerEntry = {
  orderId: 'o_1',
  beneficiaryId: 'b_up',
  level: 1,
  kind: 'accrued',
  amountMinor: 990,
  balanceDeltaMinor: 990,
  currency: 'CNY',
  refundRequestId: null,
  reason: null,
  dedupeKey: 'accrued:o_1:b_up:1',
};

function gathered(over: Parameters<typeof facts>[0] = {}): Gathered {
  const f = facts(over);
  const ctx: RequestContext = {
    orderId: 'o_1',
    buyerId: 'b_1',
    amountMinor: f.order.amountMinor,
    currency: 'CNY',
    paidAt: new Date(f.order.paidAt),
    paymentMethod: 'wechat',
    paymentTransactionId: 'wx_1',
    paymentTotalMinor: f.order.amountMinor,
    deviceId: null,
    ip: null,
    product: { id: 'p_1', title: f.product.title, category: 'course', policyId: null },
    buyerLocale: 'en',
    buyerName: 'Li',
    active: null,
    refundedMinor: 0,
    troubleshootingTried: false,
    usage: [],
    idempotentRequestId: null,
    ledger: [accrued],
    beneficiaryLocales: { b_up: 'zh' },
    storedPolicy: null,
    profile: {
      registeredAtMs: null,
      orders365d: 1,
      refunds30dCount: 0,
      refunds30dAmount: 0,
      refunds365dCount: 0,
      refunds365dAmount: 0,
      appeals365d: 0,
      appealsResolved365d: 0,
      blockSignals30d: 0,
    },
    firstEvidence: { device: [], ip: [], neighbours: [] },
  };
  return {
    input: { orderId: 'o_1', buyerId: 'b_1', reasonCode: f.reason.code, channel: 'api' } as Gathered['input'],
    ctx,
    policy: presetFor('course'),
    facts: f,
    reasonCode: f.reason.code,
    now: new Date(f.now),
  };
}

const persisted = (g: Gathered): Persisted => {
  const decided = decideRequest(g);
  return {
    decided,
    handoff: decided.rows.handoff ? { id: decided.rows.handoff.id, kind: decided.rows.handoff.kind, status: 'open' } : null,
  };
};

describe('decideRequest', () => {
  it('an approval writes a pending refund for the whole amount, holds the order and freezes the commissions', () => {
    const d = decideRequest(gathered({ minutesAgo: 5 }));
    expect(d.decision.outcome).toBe('approved');
    expect(d.refundId).toMatch(/^rf_/);
    expect(d.rows.request).toMatchObject({ status: 'refund_pending', activeOrderKey: 'o_1', closedAt: null });
    expect(d.rows.refund).toMatchObject({ id: d.refundId, amountMinor: 9900, transactionId: 'wx_1' });
    expect(d.rows.commissions.entries.map((e) => e.kind)).toEqual(['frozen']);
    // What a payout settles already includes this decision's freeze.
    expect(d.commissions.entries.map((e) => e.kind)).toEqual(['accrued', 'frozen']);
    expect(d.rows.notice).toMatchObject({ kind: 'refund.decided', locale: 'en', dedupeKey: `refund.decided:${d.requestId}` });
  });

  it('a refusal by a risk block lets go of the order, pays nothing and releases what it froze', () => {
    const d = decideRequest(
      gathered({ minutesAgo: 5, risk: { action: 'block', signals: [{ kind: 'velocity.device.block', action: 'block', detail: 'd' }] } }),
    );
    expect(d.decision).toMatchObject({ outcome: 'rejected', decidedBy: 'risk.assessment' });
    expect(d.refundId).toBeNull();
    expect(d.rows.refund).toBeNull();
    expect(d.rows.request).toMatchObject({ status: 'rejected', activeOrderKey: null });
    expect(d.rows.request.closedAt).toEqual(d.gathered.now);
    expect(d.rows.commissions.entries.map((e) => e.kind)).toEqual(['frozen', 'released']);
    expect(d.rows.riskSignals).toHaveLength(1);
  });

  it('a troubleshooting answer freezes nothing and opens no ticket', () => {
    const d = decideRequest(gathered({ minutesAgo: 60, reason: 'cannot_use' }));
    expect(d.decision.outcome).toBe('troubleshoot');
    expect(d.rows.request.status).toBe('troubleshooting');
    expect(d.rows.commissions.entries).toEqual([]);
    expect(d.rows.handoff).toBeNull();
  });
});

describe('payOut and settleAndTell', () => {
  const view = vi.fn(async (id: string) => ({ id, status: 'refund_failed' }) as unknown as RefundRequestView);

  it('does not call the gateway for a decision that pays nothing, and answers from the rows', async () => {
    const p = persisted(gathered({ minutesAgo: 60 * 30 }));
    const run = vi.fn();
    const paid = await payOut(run, p);
    expect(run).not.toHaveBeenCalled();
    const answer = await settleAndTell({ view }, paid);
    expect(answer).toMatchObject({ created: true, view: { id: p.decided.requestId, status: 'rejected', refund: null } });
    expect(answer.view.appeal).not.toBeNull();
  });

  it('pays an approval under the refund id with the amount decided, and tells its state', async () => {
    const p = persisted(gathered({ minutesAgo: 5 }));
    const state: PayoutState = { refundStatus: 'succeeded', requestStatus: 'refunded', gatewayRef: 'wx_rf_1' };
    const run = vi.fn(async () => state);
    const answer = await settleAndTell({ view }, await payOut(run, p));
    expect(run).toHaveBeenCalledWith(
      p.decided.refundId,
      expect.objectContaining({
        call: expect.objectContaining({ refundId: p.decided.refundId, amountMinor: 9900, currency: 'CNY' }),
        buyerId: 'b_1',
        locale: 'en',
      }),
    );
    expect(answer.view).toMatchObject({
      status: 'refunded',
      refund: { id: p.decided.refundId, status: 'succeeded', gatewayRef: 'wx_rf_1' },
    });
  });

  it('reads a refused payout back whole (it opened a ticket after the decision)', async () => {
    const p = persisted(gathered({ minutesAgo: 5 }));
    const answer = await settleAndTell(
      { view },
      await payOut(async () => ({ refundStatus: 'failed', requestStatus: 'refund_failed', gatewayRef: null }), p),
    );
    expect(view).toHaveBeenCalledWith(p.decided.requestId);
    expect(answer.view.status).toBe('refund_failed');
  });
});
