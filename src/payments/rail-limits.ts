// A rail's own rules on refunds, checked before the call so the desk never sends a refund the
// provider must refuse: a refund past the rail's window, or over its count per payment, goes to a
// person with the reason; one sent too soon after the last refund of the same payment waits.
import type { RailLimits } from './payment-gateway.ts';

const DAY_MS = 86_400_000;

export interface RailFacts {
  paidAt: Date;
  now: Date;
  /** Other refunds of the same payment that the provider has (succeeded, or sent and not failed). */
  priorRefunds: number;
  /** When the latest other refund of the same payment was sent, if any. */
  lastSubmittedAt: Date | null;
}

export type RailGate = { action: 'send' } | { action: 'refuse'; reason: string } | { action: 'wait'; waitMs: number; reason: string };

/** How a person reading the reason knows each rail. */
const RAIL_NAMES: Record<string, string> = { wechat: 'WeChat Pay', alipay: 'Alipay', stripe: 'Stripe' };

/** Pure: what the rail allows for this refund now. `gatewayName` names the provider in the reason. */
export function railGate(gatewayName: string, limits: RailLimits | undefined, facts: RailFacts): RailGate {
  if (!limits) return { action: 'send' };
  const rail = RAIL_NAMES[gatewayName] ?? gatewayName;
  if (limits.refundWindowDays !== undefined && facts.now.getTime() - facts.paidAt.getTime() > limits.refundWindowDays * DAY_MS) {
    return {
      action: 'refuse',
      reason: `${rail} refuses refunds more than ${limits.refundWindowDays} days after payment; refund it another way`,
    };
  }
  if (limits.maxRefundsPerPayment !== undefined && facts.priorRefunds >= limits.maxRefundsPerPayment) {
    return {
      action: 'refuse',
      reason: `${rail} allows at most ${limits.maxRefundsPerPayment} refunds of one payment, and this payment has had ${facts.priorRefunds}`,
    };
  }
  if (limits.minIntervalMs !== undefined && facts.lastSubmittedAt) {
    const waitMs = facts.lastSubmittedAt.getTime() + limits.minIntervalMs - facts.now.getTime();
    if (waitMs > 0) {
      return {
        action: 'wait',
        waitMs,
        reason: `waiting ${Math.ceil(waitMs / 1000)} s: ${rail} needs ${limits.minIntervalMs / 1000} s between refunds of one payment`,
      };
    }
  }
  return { action: 'send' };
}
