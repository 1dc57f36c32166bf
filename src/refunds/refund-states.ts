// The refund request's states and the sets the rest of the desk asks about, in one place: a new
// state, or a change to what may be withdrawn or decided, is made here once (issue 19). Pure values;
// the database's enum (prisma/schema.prisma `RefundRequestStatus`) is the source of the names.
//
//   deciding ──► refund_pending ──► refunded
//      │               └──────────► refund_failed ──(agent)──► refund_pending
//      ├──► in_review ──(agent)──► refund_pending | rejected
//      ├──► troubleshooting ──(buyer asks again)──► cancelled (a new request decides)
//      └──► rejected ──(appeal)──► in_review
//   in_review | troubleshooting | rejected | refund_failed ──(buyer withdraws)──► cancelled
import type { DecisionOutcome, RefundRequestStatus } from '../generated/prisma/enums.ts';

export type { DecisionOutcome, RefundRequestStatus };

export const REFUND_REQUEST_STATUSES = [
  'deciding',
  'refunded',
  'refund_pending',
  'rejected',
  'in_review',
  'troubleshooting',
  'cancelled',
  'refund_failed',
] as const satisfies readonly RefundRequestStatus[];

/** The status a fresh decision leaves the request in. */
export const STATUS_BY_OUTCOME = {
  approved: 'refund_pending',
  rejected: 'rejected',
  review: 'in_review',
  troubleshoot: 'troubleshooting',
} as const satisfies Record<DecisionOutcome, RefundRequestStatus>;

/** The buyer may still withdraw the request: no money has moved, or the payout failed. */
export const CANCELLABLE_STATUSES = [
  'in_review',
  'troubleshooting',
  'rejected',
  'refund_failed',
] as const satisfies readonly RefundRequestStatus[];

/** A person may approve or reject it: the same states, money not yet under way. */
export const DECIDABLE_STATUSES = CANCELLABLE_STATUSES;

/** Money has left or is leaving: nothing more to decide, withdraw or ask for. */
export const PAID_STATUSES = ['refunded', 'refund_pending'] as const satisfies readonly RefundRequestStatus[];

/** The request is finished: figures count it as closed. */
export const CLOSED_STATUSES = ['refunded', 'rejected', 'cancelled'] as const satisfies readonly RefundRequestStatus[];

/** A buyer asking again replaces a request in these states instead of being refused (M10, M23). */
export const REPLACEABLE_STATUSES = ['troubleshooting'] as const satisfies readonly RefundRequestStatus[];

const has =
  (set: readonly string[]) =>
  (status: string): boolean =>
    set.includes(status);

export const isCancellable = has(CANCELLABLE_STATUSES);
export const isDecidable = has(DECIDABLE_STATUSES);
export const isPaid = has(PAID_STATUSES);
export const isClosed = has(CLOSED_STATUSES);
export const isReplaceable = has(REPLACEABLE_STATUSES);

/**
 * Whether a freshly decided request holds its order (the unique `activeOrderKey`): every request
 * does while it is alive (in review, troubleshooting, refunding, appealable), except a risk block,
 * which is final for self-service and opens no ticket by itself.
 */
export function holdsOrder(decision: { outcome: DecisionOutcome; decidedBy: string }): boolean {
  return !(decision.outcome === 'rejected' && decision.decidedBy === 'risk.assessment');
}
