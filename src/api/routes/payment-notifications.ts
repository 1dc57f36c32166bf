// Refund results the providers push: POST /payments/wechat/notify (WeChat Pay's signed, encrypted
// refund notification) and POST /payments/stripe/webhook (Stripe's signed webhooks). Each is on only
// when its rail is configured. A bad signature is refused (401) and applies nothing; a repeat is
// acknowledged and applied once. WeChat Pay and Stripe retry anything but a 2xx, so a failure to
// apply answers 5xx and the provider comes back. The body reaches the verifiers as the bytes received
// (the server parses nothing on these routes); they parse it only once its signature matched, and a
// request without the signature header is refused before its body is read.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { DeskError } from '../../errors.ts';
import { NoticeRejected, type ProviderNotice } from '../../payments/index.ts';
import type { PaymentNotices } from '../../refunds/index.ts';
import type { StripeGateway } from '../../payments/index.ts';
import { signedHeadersOf } from '../../payments/index.ts';
import type { WechatPayConfig } from '../../payments/index.ts';
import { readWechatNotification } from '../../payments/index.ts';

export interface PaymentNotificationDeps {
  notices: PaymentNotices;
  wechat: WechatPayConfig | null;
  stripe: StripeGateway | null;
  /** How long reading a charge's refunds from Stripe may take inside a webhook. */
  timeoutMs: number;
}

function rejected(error: unknown): never {
  if (error instanceof NoticeRejected) {
    throw new DeskError(error.kind, error.kind === 'invalid' ? 'invalid_notification' : 'notification_signature_invalid', error.message);
  }
  throw error;
}

/** An onRequest check that the provider's signature header is there at all. */
function requireHeader(name: string) {
  return async (request: FastifyRequest) => {
    if (typeof request.headers[name] !== 'string')
      throw new DeskError('unauthenticated', 'notification_signature_invalid', `${name} header is required`);
  };
}

export function registerPaymentNotificationRoutes(app: FastifyInstance, deps: PaymentNotificationDeps | null): void {
  if (!deps) return;
  const { wechat, stripe, notices } = deps;
  // One after another: two notices of one webhook may be about the same refund.
  const applyAll = async (list: ProviderNotice[]) => {
    for (const notice of list) await notices.apply(notice);
  };

  if (wechat) {
    app.post('/payments/wechat/notify', { onRequest: requireHeader('wechatpay-signature') }, async (request, reply) => {
      const raw = request.rawBody?.toString('utf8') ?? '';
      let notice: ProviderNotice;
      try {
        notice = readWechatNotification(
          signedHeadersOf((name) => request.headers[name]),
          raw,
          wechat,
        );
      } catch (error) {
        rejected(error);
      }
      await applyAll([notice]);
      // WeChat Pay takes 200 or 204 with no body as "received".
      return reply.status(204).send();
    });
  }

  if (stripe) {
    app.post('/payments/stripe/webhook', { onRequest: requireHeader('stripe-signature') }, async (request, reply) => {
      const signature = request.headers['stripe-signature'];
      let list: ProviderNotice[];
      try {
        list = await stripe.readWebhook(
          request.rawBody ?? Buffer.alloc(0),
          typeof signature === 'string' ? signature : undefined,
          AbortSignal.timeout(deps.timeoutMs),
        );
      } catch (error) {
        rejected(error);
      }
      await applyAll(list);
      return reply.status(200).send({ received: true, applied: list.length });
    });
  }
}
