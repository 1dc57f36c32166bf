// Issue 21: the Slack ticket and the merchant's digest name the policy version that decided.
import { describe, expect, it } from 'vitest';
import { renderTicket, type TicketData } from '../../src/channels/slack/ticket.ts';
import { renderDigest } from '../../src/digests/digest.ts';
import { figuresOf, policiesOf, type PeriodData } from '../../src/digests/report.ts';

const now = Date.UTC(2026, 11, 2, 12, 0, 0);
const ticket = (over: Partial<TicketData>): TicketData => ({
  handoff: {
    id: 'ho_1',
    kind: 'appeal',
    status: 'open',
    reason: 'condition.course_progress_at_most',
    assigneeId: null,
    resolution: null,
    createdAt: new Date(now - 60_000),
  },
  buyer: { id: 'b_1', maskedName: '李*明', tier: 'standard', accountAgeDays: 30, refunds30d: 0 },
  order: { id: 'o_1', amountMinor: 99_900, currency: 'CNY', paymentMethod: 'wechat', paidAt: new Date(now - 3 * 3_600_000) },
  product: { title: '训练营', category: 'course' },
  request: { id: 'rr_1', status: 'rejected', reasonCode: 'unsatisfied', reasonText: null, refundableMinor: 99_900 },
  usage: { courseProgress: 0.08 },
  rules: [{ id: 'condition.course_progress_at_most', result: 'fail', detail: 'progress 8% > 5%' }],
  decidedBy: 'condition.course_progress_at_most',
  risk: [],
  commissions: [],
  conversation: [],
  refunds: [],
  ...over,
});

describe('the ticket names the policy version', () => {
  it('beside the rule that decided, as code; not at all without an engine decision', () => {
    const shown = JSON.stringify(renderTicket(ticket({ policy: { id: 'bootcamp-999', version: 3 } }), now).blocks);
    expect(shown).toContain('*Decision trace* (condition.course_progress_at_most · policy `bootcamp-999 v3`)');
    const none = JSON.stringify(renderTicket(ticket({ policy: null }), now).blocks);
    expect(none).not.toContain('· policy');
  });
});

describe('the digest names the policy versions', () => {
  const req = (id: string, policy: PeriodData['requests'][number]['policy']): PeriodData['requests'][number] => ({
    id,
    productId: 'p1',
    status: 'refunded',
    outcome: 'approved',
    reasonCode: 'changed_mind',
    reasonText: null,
    createdAt: new Date(now),
    paidAt: new Date(now - 600_000),
    orderAmountMinor: 9900,
    refundedMinor: 9900,
    usage: null,
    human: false,
    policy,
  });
  const data: PeriodData = {
    orders: [{ id: 'o1', productId: 'p1', amountMinor: 9900 }],
    products: [{ id: 'p1', title: '训练营' }],
    requests: [
      req('r1', { id: 'bootcamp', version: 1 }),
      req('r2', { id: 'bootcamp', version: 2 }),
      req('r3', { id: 'bootcamp', version: 2 }),
      req('r4', null),
    ],
  };

  it('counts requests per version, most first, leaving out those no engine decided', () => {
    expect(policiesOf(data)).toEqual([
      { id: 'bootcamp', version: 2, requests: 2 },
      { id: 'bootcamp', version: 1, requests: 1 },
    ]);
  });

  it('in the short text and the email, in both languages', () => {
    const figures = figuresOf(data);
    const report = {
      merchantId: 'm',
      period: { from: '', to: '' },
      previousPeriod: { from: '', to: '' },
      figures,
      previous: figures,
      policies: policiesOf(data),
      change: { requests: 0, refunded: 0, refundedMinor: 0, refundRate: 0 },
    };
    const en = renderDigest({ merchantName: 'Shop', currency: 'CNY', locale: 'en', period: 'day', label: '2026-12-01', report });
    expect(en.short).toContain('Decided under policy: bootcamp v2 (2) · bootcamp v1 (1)');
    expect(en.html).toContain('Decided under policy: bootcamp v2 (2) · bootcamp v1 (1)');
    const zh = renderDigest({ merchantName: '店', currency: 'CNY', locale: 'zh', period: 'day', label: '2026-12-01', report });
    expect(zh.short).toContain('决定所依据的退款政策: bootcamp v2 (2)');
  });
});
