// What payment providers tell the desk about refunds, as the providers' adapters hand it over: one
// signed notice about one refund, and the alert a person gets when the provider's money does not fit
// the desk's records. Applying a notice to a refund is the refund module's (refunds/provider-notices.ts):
// payments/ knows nothing of refunds' state (issue 19).
import type { PaymentMethod } from '../domain/index.ts';
import type { GatewayOutcome } from './payment-gateway.ts';

export type Provider = 'wechat' | 'alipay' | 'stripe';

/** The outbox topic of a payment alert written together with what it reports (deliverAlert). */
export const PAYMENT_ALERT_TOPIC = 'payment.alert';

/** The payment method each provider refunds. */
export const PROVIDER_METHOD: Record<Provider, PaymentMethod> = { wechat: 'wechat', alipay: 'alipay', stripe: 'card' };

/** One provider event about one refund, after its signature was checked. */
export interface ProviderNotice {
  provider: Provider;
  /** The provider's id for the event: a repeat with the same id is acknowledged and not applied. */
  eventId: string;
  eventType: string;
  deskRefundId: string | null;
  providerRefundId: string;
  transactionId: string | null;
  amountMinor: number;
  /** ISO 4217, as the provider states it (WeChat Pay refunds are in CNY). */
  currency: string;
  outcome: GatewayOutcome;
}

export interface PaymentAlert {
  /** The provider, or the sandbox (a refund stuck there is alerted like any other). */
  provider: Provider | 'sandbox';
  /**
   * unknown_refund, mismatch, contradicts: the provider moved money in a way the desk did not record.
   * overdue: a refund pending longer than its rail's usual settlement time. unsettled: a refund the
   * provider still has not settled after the desk's bounded resends.
   */
  kind: 'unknown_refund' | 'mismatch' | 'contradicts' | 'overdue' | 'unsettled';
  providerRefundId: string;
  deskRefundId: string | null;
  amountMinor: number;
  /** The amount's currency; null when the provider did not say. */
  currency: string | null;
  detail: string;
}

/** A notification that must not be applied: a bad signature (401) or a body that is not one (400). */
export class NoticeRejected extends Error {
  constructor(
    message: string,
    readonly kind: 'unauthenticated' | 'invalid' = 'unauthenticated',
  ) {
    super(message);
    this.name = 'NoticeRejected';
  }
}
