// What a decision is made from. Everything is a plain value (times as ISO strings), so facts can be
// stored with the decision and replayed later to the same result (M19).
import type { PaymentMethod, ProductCategory, ReasonCode } from '../domain/catalog.ts';
import type { TrustTier } from './policy-schema.ts';

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
    /** Refunds the desk approved by itself for this buyer in the 30 days before `now`. */
    autoRefunds30d: { count: number; amountMinor: number };
  };
  risk: { action: 'allow' | 'review' | 'block'; signals: RiskSignal[] };
  /** A troubleshooting guide was already given for this order (so "cannot use" may now be refunded). */
  troubleshootingTried: boolean;
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
