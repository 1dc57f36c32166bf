// How long a refund usually takes to settle on each rail, as data: past it, a refund still pending
// is overdue, and a person is told (an alert and a handoff, once) so that no buyer waits silently.
// The values come from how each provider settles, not from how the desk polls; each says why.
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

export interface SettlementTime {
  /** A refund pending longer than this (since the desk recorded it) is overdue. */
  overdueAfterMs: number;
  /** Why this value, for the person reading the alert and for whoever tunes it. */
  why: string;
}

/** By gateway name (PaymentGateway.name). */
export const SETTLEMENT_TIMES: Readonly<Record<string, SettlementTime>> = {
  sandbox: {
    overdueAfterMs: 10 * MINUTE,
    why: 'the sandbox settles at once, or as soon as a test or the demo settles it; longer means it is stuck',
  },
  alipay: {
    overdueAfterMs: 30 * MINUTE,
    why: 'alipay.trade.refund settles while it answers (fund_change=Y); an unconfirmed one is queried after 10 s and resent under the same out_request_no within minutes',
  },
  stripe: {
    overdueAfterMs: 24 * HOUR,
    why: "a card refund is normally 'succeeded' at once; 'pending' waits for the Stripe balance or for the charge to settle, which normally takes less than a day",
  },
  wechat: {
    overdueAfterMs: 72 * HOUR,
    why: "WeChat Pay refunds reach the buyer's balance (零钱) within 20 minutes and a bank card within 1-3 working days (its docs: query again after 3 working days)",
  },
};

/** For a rail the table does not know: a day, the slowest common case short of bank transfers. */
export const DEFAULT_SETTLEMENT: SettlementTime = {
  overdueAfterMs: 24 * HOUR,
  why: 'no settlement time is known for this rail; a day is assumed',
};

export function settlementOf(gatewayName: string): SettlementTime {
  return SETTLEMENT_TIMES[gatewayName] ?? DEFAULT_SETTLEMENT;
}

/** "3 h", "45 min", "3 days": how long, for people. */
export function humanDuration(ms: number): string {
  if (ms >= 48 * HOUR) return `${Math.floor(ms / (24 * HOUR))} days`;
  if (ms >= 2 * HOUR) return `${Math.floor(ms / HOUR)} h`;
  return `${Math.max(1, Math.floor(ms / MINUTE))} min`;
}
