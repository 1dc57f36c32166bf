import type { DecisionFacts } from '../../../src/policy/facts.ts';
import { NO_USAGE } from '../../../src/policy/facts.ts';
import type { ProductCategory } from '../../../src/domain/catalog.ts';

const NOW = Date.parse('2026-11-25T10:00:00Z');
const MIN = 60_000;

export function facts(
  over: {
    minutesAgo?: number;
    category?: ProductCategory;
    usage?: Partial<DecisionFacts['usage']>;
    reason?: DecisionFacts['reason']['code'];
    tier?: DecisionFacts['buyer']['tier'];
    used?: { count: number; amountMinor: number };
    risk?: DecisionFacts['risk'];
    troubleshootingTried?: boolean;
    alreadyRefundedMinor?: number;
    amountMinor?: number;
    /** The rail that refunds the order's payment method; null: none is configured. */
    rail?: string | null;
    /** Exact age in milliseconds (wins over minutesAgo). */
    ageMs?: number;
  } = {},
): DecisionFacts {
  return {
    now: new Date(NOW).toISOString(),
    order: {
      id: 'o_1',
      amountMinor: over.amountMinor ?? 9900,
      currency: 'CNY',
      paidAt: new Date(NOW - (over.ageMs ?? (over.minutesAgo ?? 12) * MIN)).toISOString(),
      paymentMethod: 'wechat',
      alreadyRefundedMinor: over.alreadyRefundedMinor ?? 0,
    },
    product: { id: 'p_1', title: '《PPT大师进阶课》', category: over.category ?? 'course' },
    reason: { code: over.reason ?? 'changed_mind' },
    usage: { ...NO_USAGE, ...over.usage },
    buyer: { id: 'b_1', tier: over.tier ?? 'standard', autoRefunds30d: over.used ?? { count: 0, amountMinor: 0 } },
    risk: over.risk ?? { action: 'allow', signals: [] },
    troubleshootingTried: over.troubleshootingTried ?? false,
    refundRoute:
      over.rail === null
        ? { rail: null, detail: 'no refund rail for wechat payments' }
        : { rail: over.rail ?? 'wechat-pay', detail: 'refunded by wechat-pay' },
  };
}
