import { describe, expect, it } from 'vitest';
import { decide, PRESETS, ruleIds, type Decision } from '../../../src/policy/index.ts';
import { facts } from './facts-builder.ts';

const course = PRESETS.course;
const rule = (d: Decision, id: string) => d.rules.find((r) => r.id === id);

describe('the article scenarios (course 《PPT大师进阶课》)', () => {
  it('M21: 12 minutes after purchase, any reason → approved by the unconditional window, full amount', () => {
    const d = decide(course, facts({ minutesAgo: 12, reason: 'changed_mind' }));
    expect(d.outcome).toBe('approved');
    expect(d.decidedBy).toBe('window.unconditional');
    expect(d.refundAmountMinor).toBe(9900);
    expect(d.policy).toEqual({ id: 'course-default', version: 2 });
    expect(d.handoff).toBeNull();
    expect(d.explanation.zh).toContain('15分钟无理由退款');
    expect(d.explanation.zh).toContain('微信支付');
    expect(d.explanation.en).toContain('¥99.00 goes back to your WeChat Pay');
  });

  it('M22: 2 hours after purchase with 20 % watched → rejected with the article message, appeal offered', () => {
    const d = decide(course, facts({ minutesAgo: 120, reason: 'unsatisfied', usage: { courseProgress: 0.2 } }));
    expect(d.outcome).toBe('rejected');
    expect(d.decidedBy).toBe('condition.course_progress_at_most');
    expect(d.appealOffered).toBe(true);
    expect(d.explanation.zh).toBe('抱歉，由于您已观看超过10%的内容，暂不符合自助退款条件，如需帮助，可联系人工客服。');
    expect(d.explanation.en).toBe(
      'Sorry, since you have watched more than 10% of the content, this order no longer qualifies for self-service refund; contact a human agent if you need help.',
    );
    expect(rule(d, 'condition.course_progress_at_most')).toMatchObject({ result: 'fail', detail: 'progress 20% > 10%' });
    // M22: the ticket goes to the human pool with the refusal, not when the buyer asks.
    expect(d.handoff).toEqual({ kind: 'appeal', when: 'now' });
  });

  it('M23: 3 days after purchase, "cannot use" → troubleshoot first, before any window is looked at', () => {
    const d = decide(course, facts({ minutesAgo: 3 * 24 * 60, reason: 'cannot_use' }));
    expect(d.outcome).toBe('troubleshoot');
    expect(d.refundAmountMinor).toBe(0);
    expect(rule(d, 'window.unconditional')?.result).toBe('skip');
  });
});

describe('each rule', () => {
  it('approves inside 15 minutes whatever the reason, even with usage that only the conditional window checks', () => {
    for (const reason of ['changed_mind', 'unsatisfied', 'other'] as const) {
      expect(decide(course, facts({ minutesAgo: 14, reason, usage: { courseProgress: 0.25 } })).outcome).toBe('approved');
    }
  });

  it('treats exactly 15 minutes as inside, and 15 minutes and a second as outside', () => {
    expect(decide(course, facts({ minutesAgo: 15 })).decidedBy).toBe('window.unconditional');
    expect(decide(course, facts({ minutesAgo: 15 + 1 / 60 })).decidedBy).toBe('window.conditional');
  });

  it('approves within 24 hours when the usage conditions hold, and says so', () => {
    const d = decide(course, facts({ minutesAgo: 600, usage: { courseProgress: 0.1 } }));
    expect(d.outcome).toBe('approved');
    expect(d.decidedBy).toBe('window.conditional');
    expect(rule(d, 'condition.course_progress_at_most')?.result).toBe('pass');
  });

  it('rejects after 24 hours and offers the appeal (M3)', () => {
    const d = decide(course, facts({ minutesAgo: 24 * 60 + 1 }));
    expect(d.outcome).toBe('rejected');
    expect(d.decidedBy).toBe('window.expired');
    expect(d.appealOffered).toBe(true);
    expect(d.explanation.en).toMatch(/appeal to a human agent/);
  });

  it('locks the course past 30 % watched or once the package is downloaded, even inside 15 minutes (M4)', () => {
    const watched = decide(course, facts({ minutesAgo: 5, usage: { courseProgress: 0.31 } }));
    expect(watched).toMatchObject({ outcome: 'rejected', decidedBy: 'lock.course_progress' });
    expect(watched.explanation.zh).toContain('自助退款已关闭');
    expect(decide(course, facts({ minutesAgo: 5, usage: { fileDownloaded: true } })).decidedBy).toBe('lock.file_downloaded');
    expect(rule(watched, 'window.unconditional')?.result).toBe('skip');
  });

  it('sends "cannot use" after the cooling-off window to troubleshooting once, then decides on the policy', () => {
    expect(decide(course, facts({ minutesAgo: 60, reason: 'cannot_use' })).outcome).toBe('troubleshoot');
    const after = decide(course, facts({ minutesAgo: 60, reason: 'cannot_use', troubleshootingTried: true }));
    expect(after.outcome).toBe('approved');
    expect(rule(after, 'reason.troubleshoot')).toMatchObject({ result: 'pass', detail: 'troubleshooting already tried for this order' });
    const noTroubleshooting = { ...course, troubleshootFirst: false };
    expect(decide(noTroubleshooting, facts({ minutesAgo: 60, reason: 'cannot_use' })).outcome).toBe('approved');
  });

  it('refunds "cannot use" inside the cooling-off window at once: any reason means any reason (M1)', () => {
    const d = decide(course, facts({ minutesAgo: 5, reason: 'cannot_use' }));
    expect(d).toMatchObject({ outcome: 'approved', decidedBy: 'window.unconditional' });
    expect(rule(d, 'reason.troubleshoot')?.detail).toBe('reason cannot_use inside the unconditional window: any reason');
  });

  it('blocks or reviews on risk without telling the buyer why', () => {
    const block = decide(
      course,
      facts({ risk: { action: 'block', signals: [{ kind: 'velocity.device', action: 'block', detail: '5 refunds' }] } }),
    );
    expect(block).toMatchObject({ outcome: 'rejected', decidedBy: 'risk.assessment', appealOffered: true });
    expect(block.explanation.en).not.toMatch(/velocity|device|risk/i);
    const review = decide(
      course,
      facts({ risk: { action: 'review', signals: [{ kind: 'ring', action: 'review', detail: '3 accounts' }] } }),
    );
    expect(review).toMatchObject({ outcome: 'review', decidedBy: 'risk.assessment' });
    expect(rule(review, 'risk.assessment')?.detail).toContain('ring');
  });

  it('applies the tier allowance in the conditional window only, counting earlier refunds (M8)', () => {
    const twoHours = { minutesAgo: 120 };
    expect(decide(course, facts({ ...twoHours, tier: 'new' })).outcome).toBe('approved');
    expect(decide(course, facts({ ...twoHours, tier: 'new', amountMinor: 99_900 })).outcome).toBe('approved');
    expect(decide(course, facts({ ...twoHours, tier: 'new', used: { count: 1, amountMinor: 100 } }))).toMatchObject({
      outcome: 'review',
      decidedBy: 'allowance.trust_tier',
      handoff: { kind: 'policy_review', when: 'now' },
    });
    expect(decide(course, facts({ ...twoHours, tier: 'standard', used: { count: 2, amountMinor: 49_999 } })).outcome).toBe('approved');
    expect(decide(course, facts({ ...twoHours, tier: 'standard', used: { count: 0, amountMinor: 50_000 } })).outcome).toBe('review');
    expect(decide(course, facts({ ...twoHours, tier: 'standard', used: { count: 3, amountMinor: 0 } })).outcome).toBe('review');
    expect(decide(course, facts({ ...twoHours, tier: 'trusted', used: { count: 9, amountMinor: 299_999 } })).outcome).toBe('approved');
    // Inside 15 minutes no allowance applies, whatever was refunded before.
    const cooling = decide(course, facts({ minutesAgo: 5, tier: 'new', used: { count: 4, amountMinor: 90_000 } }));
    expect(cooling).toMatchObject({ outcome: 'approved', decidedBy: 'window.unconditional' });
    expect(rule(cooling, 'allowance.trust_tier')?.result).toBe('skip');
  });

  it("holds an order in another currency than the policy's to the allowance's count alone", () => {
    const yen = (used: { count: number; amountMinor: number }) => {
      const f = facts({ minutesAgo: 120, tier: 'standard', used, amountMinor: 30_000 });
      return { ...f, order: { ...f.order, currency: 'JPY' } };
    };
    // ¥60,000 refunded earlier is far past the CNY 500.00 limit in fen, but yen are not fen.
    const d = decide(course, yen({ count: 1, amountMinor: 60_000 }));
    expect(d.outcome).toBe('approved');
    expect(rule(d, 'allowance.trust_tier')?.detail).toMatch(/CNY amount limit does not apply to a JPY order/);
    expect(decide(course, yen({ count: 3, amountMinor: 0 })).outcome).toBe('review');
  });

  it('sends a restricted buyer to a person in either window, and refuses them like anyone past the windows', () => {
    for (const minutesAgo of [5, 120]) {
      expect(decide(course, facts({ minutesAgo, tier: 'restricted' }))).toMatchObject({
        outcome: 'review',
        decidedBy: 'buyer.restricted',
        handoff: { kind: 'risk_review', when: 'now' },
      });
    }
    expect(decide(course, facts({ minutesAgo: 30 * 60, tier: 'restricted' })).decidedBy).toBe('window.expired');
    expect(decide(course, facts({ minutesAgo: 5, tier: 'restricted' })).explanation.en).not.toMatch(/restrict|risk/i);
  });

  it('sends an approval with no rail for its payment method to a person, who refunds it by the original route (M20)', () => {
    const d = decide(course, facts({ minutesAgo: 5, rail: null }));
    expect(d).toMatchObject({
      outcome: 'review',
      decidedBy: 'payment.route',
      refundAmountMinor: 0,
      handoff: { kind: 'policy_review', when: 'now' },
    });
    expect(rule(d, 'payment.route')).toEqual({ id: 'payment.route', result: 'fail', detail: 'no refund rail for wechat payments' });
    expect(d.explanation.zh).toContain('需要人工客服通过原支付渠道（微信支付）为您退款');
    // A refusal stays a refusal: the route matters only for money that goes back.
    expect(decide(course, facts({ minutesAgo: 30 * 60, rail: null })).decidedBy).toBe('window.expired');
  });

  it('offers the appeal, without a ticket, for refusals past the windows, by a lock and by a risk block (M3, M4)', () => {
    expect(decide(course, facts({ minutesAgo: 30 * 60 })).handoff).toEqual({ kind: 'appeal', when: 'on_appeal' });
    // A lock inside the windows is M22's story: a person at once; past them it is M3's.
    expect(decide(course, facts({ minutesAgo: 5, usage: { fileDownloaded: true } })).handoff).toEqual({ kind: 'appeal', when: 'now' });
    expect(decide(course, facts({ minutesAgo: 25 * 60, usage: { fileDownloaded: true } })).handoff).toEqual({
      kind: 'appeal',
      when: 'on_appeal',
    });
    expect(decide(course, facts({ risk: { action: 'block', signals: [] } })).handoff).toEqual({ kind: 'appeal', when: 'on_appeal' });
  });

  it('refunds only what is left of the payment, and rejects when nothing is', () => {
    expect(decide(course, facts({ alreadyRefundedMinor: 4000 })).refundAmountMinor).toBe(5900);
    expect(decide(course, facts({ alreadyRefundedMinor: 9900 }))).toMatchObject({ outcome: 'rejected', decidedBy: 'amount.refundable' });
  });

  it('says in the trace whether live or recorded usage was used (M5)', () => {
    const failed = decide(course, facts({ usage: { liveCheck: { status: 'failed', detail: 'timeout after 800 ms' } } }));
    expect(rule(failed, 'usage.live_check')?.detail).toBe('live check failed (timeout after 800 ms); decided on recorded usage');
    expect(rule(decide(course, facts({ usage: { liveCheck: { status: 'ok' } } })), 'usage.live_check')?.detail).toMatch(
      /live platform check/,
    );
  });

  it('lists every rule of the policy in the trace, checked or skipped, in evaluation order', () => {
    const d = decide(course, facts({ minutesAgo: 120, usage: { courseProgress: 0.05 } }));
    expect(d.rules.map((r) => r.id)).toEqual([
      'amount.refundable',
      'usage.live_check',
      'risk.assessment',
      'reason.troubleshoot',
      'lock.course_progress',
      'lock.file_downloaded',
      'window.unconditional',
      'window.conditional',
      'condition.course_progress_at_most',
      'buyer.restricted',
      'allowance.trust_tier',
      'payment.route',
    ]);
    const early = decide(course, facts({ risk: { action: 'block', signals: [] } }));
    expect(early.rules.map((r) => r.id)).toEqual(ruleIds(course));
    expect(early.rules.slice(3).every((r) => r.result === 'skip')).toBe(true);
  });
});

describe('category presets (M6)', () => {
  it('software key: a copied or activated key locks at once; a revealed key keeps only the cooling-off window', () => {
    const key = PRESETS.software_key;
    expect(decide(key, facts({ category: 'software_key', minutesAgo: 3, usage: { keyCopied: true } })).decidedBy).toBe('lock.key_copied');
    expect(decide(key, facts({ category: 'software_key', minutesAgo: 3, usage: { keyActivated: true } })).decidedBy).toBe(
      'lock.key_activated',
    );
    expect(decide(key, facts({ category: 'software_key', minutesAgo: 3, usage: { keyRevealed: true } })).outcome).toBe('approved');
    expect(decide(key, facts({ category: 'software_key', minutesAgo: 60, usage: { keyRevealed: true } })).decidedBy).toBe(
      'condition.key_not_revealed',
    );
    expect(decide(key, facts({ category: 'software_key', minutesAgo: 60, usage: { softwareLogin: true } })).decidedBy).toBe(
      'condition.software_not_logged_in',
    );
    expect(decide(key, facts({ category: 'software_key', minutesAgo: 60 })).outcome).toBe('approved');
  });

  it('membership: refundable when activated inside 15 minutes, not after', () => {
    const vip = PRESETS.membership;
    expect(decide(vip, facts({ category: 'membership', minutesAgo: 10, usage: { membershipActivated: true } })).outcome).toBe('approved');
    expect(decide(vip, facts({ category: 'membership', minutesAgo: 300, usage: { membershipActivated: true } })).decidedBy).toBe(
      'condition.membership_not_activated',
    );
    expect(decide(vip, facts({ category: 'membership', minutesAgo: 300 })).outcome).toBe('approved');
  });

  it('template: a download locks at once', () => {
    const tpl = PRESETS.template;
    expect(decide(tpl, facts({ category: 'template', minutesAgo: 2, usage: { fileDownloaded: true } })).decidedBy).toBe(
      'lock.file_downloaded',
    );
    expect(decide(tpl, facts({ category: 'template', minutesAgo: 600 })).outcome).toBe('approved');
    expect(decide(tpl, facts({ category: 'template', minutesAgo: 2000 })).decidedBy).toBe('window.expired');
  });

  it('every preset has the 15-minute and 24-hour windows and troubleshoots "cannot use" first', () => {
    for (const preset of Object.values(PRESETS)) {
      expect(preset.windows).toEqual({ unconditionalMinutes: 15, conditionalHours: 24 });
      expect(decide(preset, facts({ category: preset.category, minutesAgo: 120, reason: 'cannot_use' })).outcome).toBe('troubleshoot');
    }
  });
});
