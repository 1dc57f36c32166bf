// Trust tiers (M8) from account age and history. Issue 17: "new" meant "fewer than 2 orders", so a
// 100-day-old account's first purchases were treated as a stranger's; a new account is a young one.
import { describe, expect, it } from 'vitest';
import { PRESETS, renderPolicy, TIER_THRESHOLDS, tierOf, type TierInputs } from '../../../src/policy/index.ts';

const ordinary: TierInputs = { accountAgeDays: 100, orders365d: 1, refunds365d: { count: 0 }, refundRate365d: 0, blockSignals30d: 0 };

describe('trust tiers', () => {
  it('never makes a long-registered buyer "new" for having bought little', () => {
    for (const orders365d of [0, 1, 2]) expect(tierOf({ ...ordinary, orders365d })).toBe('standard');
  });

  it('makes a young account new whatever it bought, at the documented age', () => {
    const days = TIER_THRESHOLDS.new.accountAgeDaysBelow;
    expect(tierOf({ ...ordinary, accountAgeDays: days - 1, orders365d: 20 })).toBe('new');
    expect(tierOf({ ...ordinary, accountAgeDays: days, orders365d: 20 })).toBe('standard');
    // An account the platform never dated counts as young.
    expect(tierOf({ ...ordinary, accountAgeDays: 0 })).toBe('new');
  });

  it('trusts a long history with few refunds, at its documented thresholds', () => {
    const t = TIER_THRESHOLDS.trusted;
    const long = {
      ...ordinary,
      accountAgeDays: t.accountAgeDaysAtLeast,
      orders365d: t.orders365dAtLeast,
      refundRate365d: t.refundRateAtMost,
      refunds365d: { count: 0 },
    };
    expect(tierOf(long)).toBe('trusted');
    expect(tierOf({ ...long, accountAgeDays: t.accountAgeDaysAtLeast - 1 })).toBe('standard');
    expect(tierOf({ ...long, orders365d: t.orders365dAtLeast - 1 })).toBe('standard');
    expect(tierOf({ ...long, refundRate365d: t.refundRateAtMost + 0.01 })).toBe('standard');
  });

  it('restricts a buyer who returns most of what they buy, or was blocked lately, before any other tier', () => {
    const r = TIER_THRESHOLDS.restricted;
    expect(tierOf({ ...ordinary, accountAgeDays: 2, refunds365d: { count: r.minRefunds365d }, refundRate365d: 0.51 })).toBe('restricted');
    expect(tierOf({ ...ordinary, refunds365d: { count: r.minRefunds365d }, refundRate365d: 0.5 })).toBe('standard');
    expect(tierOf({ ...ordinary, refunds365d: { count: r.minRefunds365d - 1 }, refundRate365d: 1 })).toBe('standard');
    expect(tierOf({ ...ordinary, accountAgeDays: 400, orders365d: 50, blockSignals30d: 1 })).toBe('restricted');
  });

  it('tells buyers the same thresholds it computes with', () => {
    const t = TIER_THRESHOLDS;
    const en = renderPolicy(PRESETS.course, 'en').text;
    expect(en).toContain(`new accounts (registered less than ${t.new.accountAgeDaysBelow} days ago)`);
    expect(en).toContain(
      `registered ${t.trusted.accountAgeDaysAtLeast} days or more ago, ${t.trusted.orders365dAtLeast} or more orders in the last year, at most ${Math.round(t.trusted.refundRateAtMost * 100)}% of them refunded`,
    );
    expect(en).toContain(`${t.restricted.minRefunds365d} or more refunds in the last year making up more than half of their orders`);
    expect(t.restricted.refundRateAbove).toBe(0.5); // "more than half" in the text
  });
});
