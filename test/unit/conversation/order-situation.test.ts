import { describe, expect, it } from 'vitest';
import { orderSituation } from '../../../src/conversation/order-situation.ts';
import { NO_USAGE, presetFor } from '../../../src/policy/index.ts';

const now = new Date('2026-03-10T12:00:00Z');
const paid = (minutes: number) => new Date(now.getTime() - minutes * 60_000);

describe("a policy answer for the buyer's own order", () => {
  const course = presetFor('course');
  it('inside the unconditional window: refundable now, any reason', () => {
    expect(orderSituation(course, NO_USAGE, paid(5), now, 'zh')).toContain('还在15分钟无理由退款期内');
    expect(orderSituation(course, NO_USAGE, paid(5), now, 'en')).toContain('still inside the 15-minute no-questions window');
  });

  it('inside the conditional window with the conditions held: says what was used and that it can be refunded now', () => {
    const watched = { ...NO_USAGE, courseProgress: 0.08 };
    expect(orderSituation(course, watched, paid(120), now, 'zh')).toBe(
      '您这笔订单付款于2小时前，已观看8%，仍在24小时内且符合条件，现在可以申请自助退款。',
    );
    expect(orderSituation(course, watched, paid(120), now, 'en')).toBe(
      'You paid for this order 2 hours ago, you have watched 8%: still inside 24 hours and within the conditions, so you can get a refund now.',
    );
  });

  it('a condition broken, a lock hit, or the window past: says why not and what is left', () => {
    expect(orderSituation(course, { ...NO_USAGE, courseProgress: 0.2 }, paid(120), now, 'zh')).toContain('已观看20%，超过了10%');
    expect(orderSituation(course, { ...NO_USAGE, courseProgress: 0.5 }, paid(5), now, 'en')).toContain(
      'no longer be refunded by self-service',
    );
    expect(orderSituation(presetFor('software_key'), { ...NO_USAGE, keyCopied: true, keyRevealed: true }, paid(5), now, 'zh')).toContain(
      '复制了激活码',
    );
    expect(orderSituation(course, NO_USAGE, paid(3 * 24 * 60), now, 'zh')).toContain('已超过24小时（3天前）');
  });

  it('uses English punctuation in English', () => {
    for (const minutes of [5, 120, 3 * 24 * 60])
      expect(orderSituation(course, { ...NO_USAGE, courseProgress: 0.05 }, paid(minutes), now, 'en')).not.toMatch(/[（），：。；！？]/);
  });
});
