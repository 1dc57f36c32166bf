// The PaymentGateway interface: refund an order's own payment (M20, 原路返回) under an idempotency
// key, and ask where a refund stands. Every adapter (sandbox, WeChat Pay, Alipay, Stripe) implements it.
import type { PaymentMethod } from '../domain/index.ts';

export interface RefundCall {
  /** Our refund record's id: the idempotency key. A repeat with it never refunds twice. */
  refundId: string;
  orderId: string;
  method: PaymentMethod;
  /** The original payment at the provider: the refund goes back along it and nowhere else. */
  transactionId: string;
  amountMinor: number;
  /** What the original payment was, for providers that want refund/total. */
  totalMinor: number;
  currency: string;
  /** When the original payment was made (rails that refuse refunds after a while). */
  paidAt: string;
}

/** What a status query needs: our key, and the payment (providers that look refunds up by payment). */
export interface RefundRef {
  refundId: string;
  transactionId: string;
  /** The provider's own id for the refund, once it has given one. */
  gatewayRef: string | null;
}

export type GatewayOutcome =
  | { status: 'succeeded'; gatewayRef: string }
  /** Accepted but not final (e.g. WeChat's PROCESSING): not success until a query or notice says so. */
  | { status: 'pending'; gatewayRef: string }
  | { status: 'failed'; reason: string };

/**
 * `not_found`: the provider holds no settled refund under our key, so it is sent again under the
 * same key (never a new one): it never arrived, or (Alipay, whose refund query answers without a
 * refund_status) it was not received or failed. `detail` says which, for the person who may get it.
 */
export type QueryOutcome = GatewayOutcome | { status: 'not_found'; detail?: string };

/**
 * A rail's own rules on refunds (WeChat Pay: within a year, at most 50 per payment, a minute apart).
 * The workflow checks them before calling: a refund the rail would refuse goes to a person, and
 * one that must wait is sent when it may be.
 */
export interface RailLimits {
  /** Days after payment after which the rail refuses refunds. */
  refundWindowDays?: number;
  /** Refunds one payment may have (full or partial). */
  maxRefundsPerPayment?: number;
  /** Least time between two refunds sent for one payment. */
  minIntervalMs?: number;
  /** Least time between sending a refund and asking about it (Alipay: a query too soon finds nothing). */
  queryDelayMs?: number;
}

/** Rails whose rules need the time each refund was sent: the workflow records it before the call. */
export const recordsSendTime = (limits: RailLimits | undefined): boolean =>
  limits?.minIntervalMs !== undefined || limits?.queryDelayMs !== undefined;

/** A refund as a provider lists it (reconciliation: refunds the desk may have no record of). */
export interface ProviderRefund {
  providerRefundId: string;
  /** Our refund id when the provider carries it (Stripe metadata, WeChat's out_refund_no). */
  deskRefundId: string | null;
  transactionId: string | null;
  amountMinor: number;
  currency: string;
  status: 'succeeded' | 'pending' | 'failed';
}

export interface PaymentGateway {
  readonly name: string;
  readonly limits?: RailLimits;
  refund(call: RefundCall, signal: AbortSignal): Promise<GatewayOutcome>;
  /** Where a refund stands by our idempotency key; `not_found` when the provider never saw it. */
  query(ref: RefundRef, signal: AbortSignal): Promise<QueryOutcome>;
  /** Refunds made since a time, for rails that can list them (Stripe): finds refunds made elsewhere. */
  listRecent?(since: Date, signal: AbortSignal): Promise<ProviderRefund[]>;
}

/** A failure worth retrying with the same idempotency key: the network, a timeout, a 5xx or 429. */
export class TransientGatewayError extends Error {
  constructor(
    message: string,
    readonly retryAfterMs?: number,
    /** The provider asked for a lower rate (429, WeChat's FREQUENCY_LIMITED): back off in seconds, and send it nothing more for now. */
    readonly rateLimited = false,
  ) {
    super(message);
    this.name = 'TransientGatewayError';
  }
}
