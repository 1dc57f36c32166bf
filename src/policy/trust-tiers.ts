// Trust tiers (M8): who a buyer is to the desk, from their account's age and history. Defined here,
// with the policy, because the tiers are part of what a buyer is told ("agreed before, enforced
// after": render-policy.ts states these thresholds); src/risk/buyer-profile.ts gathers the history
// and calls tierOf(). Checked in this order, first match wins:
//
//   restricted  a blocking risk signal on their requests in the last 30 days, or 3+ refunds in 365
//               days that make up more than half of their orders in that time. A person decides
//               every refund they would get (decide(): buyer.restricted), in every window.
//   new         an account registered less than 7 days ago (or whose registration is unknown).
//               Age alone: a long-registered account is never "new" because it has bought little.
//   trusted     an account registered 180+ days ago, with 5+ orders in 365 days, at most 10 %
//               of them refunded: a long history with few refunds.
//   standard    everyone else.
//
// Why these numbers:
// - 7 days: throwaway accounts made to buy, use and refund are used within days of registering;
//   an honest buyer's first week is also when a mistaken purchase is most likely, which is why the
//   first refund of a new account is still automatic (presets.ts, allowances).
// - 180 days and 5 orders: half a year of buying, several times, is a history no throwaway account
//   has; 10 % refunded is at most one refund in the five orders that make the minimum.
// - restricted at 3+ refunds and more than half of the orders: one or two refunds are ordinary bad
//   luck; a buyer who returns most of what they buy, three times or more, is using refunds as a
//   free trial. A block signal (velocity, M11) restricts for 30 days, as long as the allowance window.
import type { TrustTier } from './policy-schema.ts';

export const TIER_THRESHOLDS = {
  restricted: { minRefunds365d: 3, refundRateAbove: 0.5, blockSignalDays: 30 },
  new: { accountAgeDaysBelow: 7 },
  trusted: { accountAgeDaysAtLeast: 180, orders365dAtLeast: 5, refundRateAtMost: 0.1 },
} as const;

/** The history a tier is computed from (src/risk/buyer-profile.ts reads it with indexed queries). */
export interface TierInputs {
  /** Whole days since registration; 0 when the platform never said. */
  accountAgeDays: number;
  orders365d: number;
  refunds365d: { count: number };
  /** Refunds in 365 days / orders in 365 days (0 without orders). */
  refundRate365d: number;
  /** Blocking risk signals on the buyer's requests in the last 30 days. */
  blockSignals30d: number;
}

export function tierOf(p: TierInputs): TrustTier {
  const t = TIER_THRESHOLDS;
  if (p.blockSignals30d > 0) return 'restricted';
  if (p.refunds365d.count >= t.restricted.minRefunds365d && p.refundRate365d > t.restricted.refundRateAbove) return 'restricted';
  if (p.accountAgeDays < t.new.accountAgeDaysBelow) return 'new';
  if (
    p.accountAgeDays >= t.trusted.accountAgeDaysAtLeast &&
    p.orders365d >= t.trusted.orders365dAtLeast &&
    p.refundRate365d <= t.trusted.refundRateAtMost
  ) {
    return 'trusted';
  }
  return 'standard';
}
