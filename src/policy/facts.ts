// What a decision is made from. Everything is a plain value (times as ISO strings), so facts can be
// stored with the decision and replayed later to the same result (M19): every input that can change
// a decision is here, and decide() reads nothing else but the policy.
import { z } from 'zod';
import {
  PAYMENT_METHODS,
  PRODUCT_CATEGORIES,
  REASON_CODES,
  type PaymentMethod,
  type ProductCategory,
  type ReasonCode,
} from '../domain/index.ts';
import { TRUST_TIERS, type TrustTier } from './policy-schema.ts';

export interface UsageFacts {
  /** Highest course progress seen, 0…1; null when none was recorded. */
  courseProgress: number | null;
  keyRevealed: boolean;
  keyCopied: boolean;
  keyActivated: boolean;
  fileDownloaded: boolean;
  membershipActivated: boolean;
  softwareLogin: boolean;
  /** M5: whether the platform's live check answered, failed (decided on recorded usage) or is off. */
  liveCheck: { status: 'ok' | 'failed' | 'not_configured'; detail?: string };
}

export interface RiskSignal {
  kind: string;
  action: 'allow' | 'review' | 'block';
  detail: string;
  evidence?: Record<string, unknown>;
}

/**
 * M20: the way back to the order's payment on this desk when the request was decided: the rail that
 * refunds its payment method, or null with why none does (for the person who refunds it by hand).
 */
export interface RefundRoute {
  rail: string | null;
  detail: string;
}

export interface DecisionFacts {
  now: string;
  order: {
    id: string;
    amountMinor: number;
    currency: string;
    paidAt: string;
    paymentMethod: PaymentMethod;
    /** Refunded or being refunded already (succeeded + pending). */
    alreadyRefundedMinor: number;
  };
  product: { id: string; title: string; category: ProductCategory };
  reason: { code: ReasonCode; text?: string };
  usage: UsageFacts;
  buyer: {
    id: string;
    tier: TrustTier;
    /**
     * The buyer's refunds (paid or under way, whoever approved them) of requests made in the 30
     * days before `now`: what the allowance counts.
     */
    autoRefunds30d: { count: number; amountMinor: number };
  };
  risk: { action: 'allow' | 'review' | 'block'; signals: RiskSignal[] };
  /** A troubleshooting guide was already given for this order (so "cannot use" may now be refunded). */
  troubleshootingTried: boolean;
  refundRoute: RefundRoute;
}

export const NO_USAGE: UsageFacts = {
  courseProgress: null,
  keyRevealed: false,
  keyCopied: false,
  keyActivated: false,
  fileDownloaded: false,
  membershipActivated: false,
  softwareLogin: false,
  liveCheck: { status: 'not_configured' },
};

const instant = z.iso.datetime({ offset: true });
const count = z.number().int().min(0);

/**
 * Stored facts read back for a replay. Facts stored before the payment route was one of them have
 * no `refundRoute`: they are read as routed, which is what decide() assumed then (the route was
 * checked outside it), so a decision that check changed shows up as a disagreement.
 */
export const storedFactsSchema = z.object({
  now: instant,
  order: z.object({
    id: z.string(),
    amountMinor: count,
    currency: z.string(),
    paidAt: instant,
    paymentMethod: z.enum(PAYMENT_METHODS),
    alreadyRefundedMinor: count,
  }),
  product: z.object({ id: z.string(), title: z.string(), category: z.enum(PRODUCT_CATEGORIES) }),
  reason: z.object({ code: z.enum(REASON_CODES), text: z.string().optional() }),
  usage: z.object({
    courseProgress: z.number().min(0).max(1).nullable(),
    keyRevealed: z.boolean(),
    keyCopied: z.boolean(),
    keyActivated: z.boolean(),
    fileDownloaded: z.boolean(),
    membershipActivated: z.boolean(),
    softwareLogin: z.boolean(),
    liveCheck: z.object({ status: z.enum(['ok', 'failed', 'not_configured']), detail: z.string().optional() }),
  }),
  buyer: z.object({ id: z.string(), tier: z.enum(TRUST_TIERS), autoRefunds30d: z.object({ count, amountMinor: count }) }),
  risk: z.object({
    action: z.enum(['allow', 'review', 'block']),
    signals: z.array(
      z.object({
        kind: z.string(),
        action: z.enum(['allow', 'review', 'block']),
        detail: z.string(),
        evidence: z.record(z.string(), z.unknown()).optional(),
      }),
    ),
  }),
  troubleshootingTried: z.boolean(),
  refundRoute: z
    .object({ rail: z.string().nullable(), detail: z.string() })
    .default({ rail: 'unrecorded', detail: 'recorded before the route was a fact' }),
}) satisfies z.ZodType<DecisionFacts, unknown>;
