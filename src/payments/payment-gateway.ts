// The PaymentGateway interface: refund an order's own payment (M20, 原路返回) under an idempotency
// key, and ask where a refund stands. Every adapter (sandbox, WeChat Pay, Alipay, Stripe) implements it.
import type { PaymentMethod } from '../domain/catalog.ts';

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
}

export type GatewayOutcome =
  | { status: 'succeeded'; gatewayRef: string }
  /** Accepted but not final (e.g. WeChat's PROCESSING): not success until a query or notice says so. */
  | { status: 'pending'; gatewayRef: string }
  | { status: 'failed'; reason: string };

export interface PaymentGateway {
  readonly name: string;
  refund(call: RefundCall, signal: AbortSignal): Promise<GatewayOutcome>;
  /** Where a refund stands by our idempotency key; `not_found` when the provider never saw it. */
  query(refundId: string, signal: AbortSignal): Promise<GatewayOutcome | { status: 'not_found' }>;
}

/** A failure worth retrying with the same idempotency key: the network, a timeout, a 5xx or 429. */
export class TransientGatewayError extends Error {
  constructor(
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'TransientGatewayError';
  }
}
