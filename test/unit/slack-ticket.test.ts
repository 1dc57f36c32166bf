// How a ticket reads in Slack: every field an agent needs, and only the buttons that make sense.
import { describe, expect, it } from 'vitest';
import { renderTicket, type TicketData } from '../../src/channels/slack/ticket.ts';

const now = Date.UTC(2026, 10, 25, 12, 0, 0);
const ticket = (over: Partial<TicketData> = {}, handoff: Partial<TicketData['handoff']> = {}): TicketData => ({
  handoff: {
    id: 'ho_1',
    kind: 'risk_review',
    status: 'open',
    reason: 'risk.assessment',
    assigneeId: null,
    resolution: null,
    createdAt: new Date(now - 5 * 60_000),
    ...handoff,
  },
  buyer: { id: 'b_1', maskedName: '李*明', tier: 'new', accountAgeDays: 1, refunds30d: 2 },
  order: { id: 'o_1', amountMinor: 9900, currency: 'CNY', paymentMethod: 'alipay', paidAt: new Date(now - 2 * 3_600_000) },
  product: { title: '《PPT大师进阶课》', category: 'course' },
  request: { id: 'rr_1', status: 'in_review', reasonCode: 'changed_mind', reasonText: '不想要了 <script>', refundableMinor: 9900 },
  usage: { courseProgress: 0.05, keyRevealed: false, fileDownloaded: true, liveCheck: { status: 'failed', detail: 'timeout' } },
  rules: [
    { id: 'window.any_reason', result: 'fail', detail: 'paid 120 min ago' },
    { id: 'risk.assessment', result: 'fail', detail: 'shared device' },
  ],
  decidedBy: 'risk.assessment',
  risk: [{ kind: 'shared_device', action: 'review', detail: '3 accounts on one device', evidence: '{"deviceId":"d_9","accounts":3}' }],
  commissions: [{ beneficiary: '张*员', level: 1, amountMinor: 990, currency: 'CNY', state: 'frozen' }],
  conversation: [
    { direction: 'in', text: '我要退款', at: new Date(now - 60_000) },
    { direction: 'out', text: '已转人工', at: new Date(now) },
  ],
  refunds: [],
  ...over,
});

describe('renderTicket', () => {
  it('shows buyer, order, product, paid time, usage, rule trace, risk evidence, words, commissions and the chat', () => {
    const { text, blocks } = renderTicket(ticket(), now);
    const all = JSON.stringify(blocks);
    expect(text).toContain('Risk review');
    for (const part of [
      '李*明',
      'tier *new*',
      'account 1 d',
      '2 refunds in 30 d',
      '`o_1`',
      '¥99.00',
      'alipay',
      '《PPT大师进阶课》 (course)',
      '2 h ago',
      'course watched: 5%',
      'file downloaded',
      'live check: failed (timeout)',
      '❌ `window.any_reason` paid 120 min ago',
      '*shared_device* → review: 3 accounts on one device',
      'deviceId',
      'reason (NLU): *changed_mind*',
      'L1 张*员 CN¥9.90 · *frozen*',
      '🧑 Buyer: 我要退款',
      '🤖 Bot: 已转人工',
      'Unclaimed · opened 5 min ago',
    ]) {
      expect(all, part).toContain(part.replace(/"/g, '\\"'));
    }
    // The buyer's words are escaped for Slack's mrkdwn.
    expect(all).toContain('不想要了 &lt;script&gt;');
    const actions = blocks.find((b) => b.type === 'actions') as { elements: Array<{ action_id: string }> };
    expect(actions.elements.map((e) => e.action_id)).toEqual([
      'ticket.claim',
      'ticket.approve',
      'ticket.approve_partial',
      'ticket.reject',
      'ticket.guide',
      'ticket.return',
    ]);
  });

  it('offers no refund buttons without a decidable request, no claim once claimed, and no buttons once resolved', () => {
    const asked = renderTicket(
      ticket({ request: null, rules: [], risk: [] }, { kind: 'buyer_request', status: 'claimed', assigneeId: 'U1' }),
      now,
    );
    const actions = asked.blocks.find((b) => b.type === 'actions') as { elements: Array<{ action_id: string }> };
    expect(actions.elements.map((e) => e.action_id)).toEqual(['ticket.guide', 'ticket.return']);
    expect(JSON.stringify(asked.blocks)).toContain('Claimed by <@U1>');
    const done = renderTicket(
      ticket(
        { refunds: [{ amountMinor: 9900, currency: 'CNY', status: 'succeeded' }] },
        { status: 'resolved', resolution: 'approved', assigneeId: 'U2' },
      ),
      now,
    );
    expect(done.blocks.some((b) => b.type === 'actions')).toBe(false);
    expect(JSON.stringify(done.blocks)).toContain('Resolved: approved by <@U2> · refund CN¥99.00 succeeded');
  });
});
