// Card refunds through Stripe's own SDK: a refund of the original PaymentIntent (or Charge) under
// our refund id as the Idempotency-Key, with the id in the refund's metadata so that the refund
// can be found again even when its answer was lost. "pending" and "requires_action" are not
// success; the refund.updated webhook or a later query settles them. The SDK's own retries are off:
// the workflow retries under the same key and decides when to stop.
import { createRequire } from 'node:module';
import type Stripe from 'stripe';
import type { StripeConfig } from '../config.ts';

export type { StripeConfig };
import { untilAborted } from './abortable.ts';
import { fromStripeAmount, toStripeAmount } from './stripe-amounts.ts';
import { NoticeRejected, type ProviderNotice } from './payment-notices.ts';
import {
  TransientGatewayError,
  type GatewayOutcome,
  type PaymentGateway,
  type ProviderRefund,
  type QueryOutcome,
  type RefundCall,
  type RefundRef,
} from './payment-gateway.ts';

const METADATA_KEY = 'desk_refund_id';
const TRANSIENT_ERRORS = new Set(['StripeConnectionError', 'StripeAPIError', 'StripeRateLimitError', 'StripeLockTimeoutError']);
/** Webhook events that carry a Refund; charge.refunded carries the Charge, whose refunds are listed. */
const REFUND_EVENTS = new Set(['refund.created', 'refund.updated', 'refund.failed', 'charge.refund.updated']);

export function stripeOutcome(refund: Stripe.Refund): GatewayOutcome {
  if (refund.status === 'succeeded') return { status: 'succeeded', gatewayRef: refund.id };
  if (refund.status === 'pending' || refund.status === 'requires_action') return { status: 'pending', gatewayRef: refund.id };
  return {
    status: 'failed',
    reason: `Stripe: refund ${refund.status ?? 'unknown'}${refund.failure_reason ? ` (${refund.failure_reason})` : ''}`,
  };
}

const idOf = (value: string | { id: string } | null | undefined) =>
  value === null || value === undefined ? null : typeof value === 'string' ? value : value.id;

function providerRefund(refund: Stripe.Refund): ProviderRefund {
  const outcome = stripeOutcome(refund);
  return {
    providerRefundId: refund.id,
    deskRefundId: refund.metadata?.[METADATA_KEY] ?? null,
    transactionId: idOf(refund.payment_intent) ?? idOf(refund.charge),
    amountMinor: fromStripeAmount(refund.amount, refund.currency),
    currency: refund.currency.toUpperCase(),
    status: outcome.status,
  };
}

// Stripe's SDK is loaded when a Stripe gateway is built (STRIPE_SECRET_KEY set), not by every process.
const require = createRequire(import.meta.url);
let sdk: typeof Stripe | undefined;
const loadStripe = (): typeof Stripe => (sdk ??= require('stripe') as typeof Stripe);

export class StripeGateway implements PaymentGateway {
  readonly name = 'stripe';
  private readonly stripe: Stripe;

  constructor(private readonly config: StripeConfig) {
    const api = new URL(config.apiUrl);
    this.stripe = new (loadStripe())(config.secretKey, {
      host: api.hostname,
      port: Number(api.port || (api.protocol === 'http:' ? 80 : 443)),
      protocol: api.protocol === 'http:' ? 'http' : 'https',
      maxNetworkRetries: 0,
      // Longer than the workflow's own timeout, which must win: a hang is then never retried.
      timeout: config.timeoutMs + 1_000,
      telemetry: false,
    });
  }

  async refund(call: RefundCall, signal: AbortSignal): Promise<GatewayOutcome> {
    const amount = toStripeAmount({ amountMinor: call.amountMinor, currency: call.currency });
    if ('refused' in amount) return { status: 'failed', reason: amount.refused };
    try {
      const refund = await this.call(
        () =>
          this.stripe.refunds.create(
            {
              ...this.paymentOf(call.transactionId),
              amount: amount.amount,
              reason: 'requested_by_customer',
              metadata: { [METADATA_KEY]: call.refundId, order_id: call.orderId },
            },
            { idempotencyKey: call.refundId },
          ),
        signal,
      );
      return stripeOutcome(refund);
    } catch (error) {
      if (error instanceof loadStripe().errors.StripeError && !TRANSIENT_ERRORS.has(error.type)) {
        return { status: 'failed', reason: `Stripe refused the refund: ${error.code ?? error.type} ${error.message}`.slice(0, 300) };
      }
      throw error;
    }
  }

  async query(ref: RefundRef, signal: AbortSignal): Promise<QueryOutcome> {
    if (ref.gatewayRef?.startsWith('re_') || ref.gatewayRef?.startsWith('pyr_')) {
      return stripeOutcome(await this.call(() => this.stripe.refunds.retrieve(ref.gatewayRef!), signal));
    }
    // The answer was lost: find the refund among the payment's by the id we put in its metadata.
    const list = await this.call(() => this.stripe.refunds.list({ ...this.paymentOf(ref.transactionId), limit: 100 }), signal);
    const mine = list.data.find((refund) => refund.metadata?.[METADATA_KEY] === ref.refundId);
    return mine ? stripeOutcome(mine) : { status: 'not_found' };
  }

  async listRecent(since: Date, signal: AbortSignal): Promise<ProviderRefund[]> {
    const out: ProviderRefund[] = [];
    let startingAfter: string | undefined;
    // Bounded: ten pages of a hundred per reconciliation run; the next run goes on from a later time.
    for (let page = 0; page < 10; page += 1) {
      const list = await this.call(
        () =>
          this.stripe.refunds.list({
            created: { gte: Math.floor(since.getTime() / 1000) },
            limit: 100,
            ...(startingAfter ? { starting_after: startingAfter } : {}),
          }),
        signal,
      );
      out.push(...list.data.map(providerRefund));
      if (!list.has_more || list.data.length === 0) break;
      startingAfter = list.data[list.data.length - 1]!.id;
    }
    return out;
  }

  /**
   * The refund notices in a webhook call, after its Stripe-Signature was checked with the endpoint
   * secret. charge.refunded carries the charge: its refunds are read from Stripe.
   */
  async readWebhook(rawBody: Buffer, signature: string | undefined, signal: AbortSignal): Promise<ProviderNotice[]> {
    if (!this.config.webhookSecret) throw new NoticeRejected('STRIPE_WEBHOOK_SECRET is not set: webhooks cannot be verified');
    let event: Stripe.Event;
    try {
      event = this.stripe.webhooks.constructEvent(rawBody, signature ?? '', this.config.webhookSecret);
    } catch (error) {
      throw new NoticeRejected(`Stripe webhook refused: ${(error as Error).message.slice(0, 160)}`);
    }
    const notice = (refund: Stripe.Refund, suffix = ''): ProviderNotice => ({
      provider: 'stripe',
      eventId: `${event.id}${suffix}`,
      eventType: event.type,
      ...providerRefund(refund),
      outcome: stripeOutcome(refund),
    });
    if (REFUND_EVENTS.has(event.type)) return [notice(event.data.object as Stripe.Refund)];
    if (event.type === 'charge.refunded') {
      const charge = event.data.object as Stripe.Charge;
      const refunds =
        charge.refunds?.data ?? (await this.call(() => this.stripe.refunds.list({ charge: charge.id, limit: 100 }), signal)).data;
      return refunds.map((refund) => notice(refund, `:${refund.id}`));
    }
    return []; // Another event type: acknowledged, nothing to apply.
  }

  private paymentOf(transactionId: string): { payment_intent: string } | { charge: string } {
    return transactionId.startsWith('ch_') || transactionId.startsWith('py_')
      ? { charge: transactionId }
      : { payment_intent: transactionId };
  }

  /** One SDK call that gives up when the workflow's signal does; transport failures are transient. */
  private async call<T>(run: () => Promise<T>, signal: AbortSignal): Promise<T> {
    try {
      return await untilAborted(run, signal);
    } catch (error) {
      if (!signal.aborted && error instanceof loadStripe().errors.StripeError && TRANSIENT_ERRORS.has(error.type)) {
        throw new TransientGatewayError(
          `Stripe: ${error.type} ${error.message}`.slice(0, 200),
          undefined,
          error.type === 'StripeRateLimitError',
        );
      }
      throw error;
    }
  }
}
