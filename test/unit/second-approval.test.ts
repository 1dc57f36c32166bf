// Four-eyes approval's pure parts (issue 22): which amounts need a second agent, in the order's own
// currency, and how a waiting, confirmed or rejected approval shows on the ticket.
import { describe, expect, it } from 'vitest';
import { approvalActions, approvalLine } from '../../src/channels/slack/second-approval-blocks.ts';
import { secondApprovalLimit } from '../../src/handoffs/second-approval.ts';

describe('secondApprovalLimit', () => {
  const limits = { CNY: 50_000, USD: 10_000, JPY: 20_000 };
  it("asks for a second agent only above the figure of the order's currency", () => {
    expect(secondApprovalLimit(limits, 'CNY', 50_001)).toBe(50_000);
    expect(secondApprovalLimit(limits, 'CNY', 50_000)).toBeNull();
    expect(secondApprovalLimit(limits, 'JPY', 20_001)).toBe(20_000);
    // USD 100.01 is above $100.00; the same 10,001 minor units in CNY are ¥100.01, well below ¥500.00.
    expect(secondApprovalLimit(limits, 'USD', 10_001)).toBe(10_000);
    expect(secondApprovalLimit(limits, 'CNY', 10_001)).toBeNull();
  });
  it('never asks for a currency that is not listed', () => {
    expect(secondApprovalLimit(limits, 'EUR', 99_999_999)).toBeNull();
    expect(secondApprovalLimit({}, 'CNY', 99_999_999)).toBeNull();
  });
});

describe('the approval on the ticket', () => {
  const base = { id: 'sa_1', amountMinor: 60_000, currency: 'CNY', firstAgentId: 'UAGENT0001', secondAgentId: null };
  it('names the first agent while it waits, and both once settled', () => {
    expect(approvalLine({ ...base, status: 'awaiting' })).toBe(
      '🔐 CN¥600.00 approved by <@UAGENT0001> · waiting for a second desk member to confirm',
    );
    expect(approvalLine({ ...base, status: 'confirmed', secondAgentId: 'UAGENT0002' })).toContain(
      'approved by <@UAGENT0001> · confirmed by <@UAGENT0002>',
    );
    expect(approvalLine({ ...base, status: 'rejected', secondAgentId: 'UAGENT0002' })).toContain('rejected by <@UAGENT0002>');
    const withdrawn = approvalLine({ ...base, status: 'cancelled', secondAgentId: 'UAGENT0002' });
    expect(withdrawn).toContain('withdrawn when <@UAGENT0002> returned the ticket to the bot');
    expect(withdrawn).not.toContain('rejected');
  });
  it('puts no mention of an id that is not a Slack user id', () => {
    expect(approvalLine({ ...base, status: 'awaiting', firstAgentId: '<!channel>' })).not.toContain('<!channel>');
  });
  it('offers confirm and reject naming the ticket and the approval', () => {
    const [confirm, reject] = approvalActions('ho_1', { ...base, status: 'awaiting' }) as Array<{
      action_id: string;
      value?: string;
      options?: Array<{ value: string }>;
    }>;
    expect(confirm).toMatchObject({ action_id: 'ticket.second_confirm', value: 'ho_1|sa_1' });
    expect(reject!.action_id).toBe('ticket.second_reject');
    expect(reject!.options!.map((o) => o.value)).toContain('ho_1|sa_1|used');
  });
});
