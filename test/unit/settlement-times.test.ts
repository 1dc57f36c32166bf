import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTLEMENT, humanDuration, settlementOf, SETTLEMENT_TIMES } from '../../src/payments/settlement-times.ts';

describe('settlement times per rail', () => {
  it('knows each rail the desk has, and assumes a day for one it does not', () => {
    for (const rail of ['sandbox', 'wechat', 'alipay', 'stripe']) expect(settlementOf(rail)).toBe(SETTLEMENT_TIMES[rail]);
    expect(settlementOf('paypal')).toBe(DEFAULT_SETTLEMENT);
    expect(DEFAULT_SETTLEMENT.overdueAfterMs).toBe(24 * 3_600_000);
  });

  it.each([
    [30_000, '1 min'],
    [10 * 60_000, '10 min'],
    [119 * 60_000, '119 min'],
    [2 * 3_600_000, '2 h'],
    [47 * 3_600_000 + 59 * 60_000, '47 h'],
    [72 * 3_600_000, '3 days'],
  ])('says %i ms as "%s"', (ms, text) => {
    expect(humanDuration(ms)).toBe(text);
  });
});
