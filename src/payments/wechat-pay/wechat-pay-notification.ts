// A WeChat Pay refund notification (退款结果通知), checked and opened: the platform signature over
// the exact body, then the AEAD_AES_256_GCM resource with the APIv3 key. What comes out is the
// provider-neutral ProviderNotice the desk applies once (payment-notices.ts).
import { z } from 'zod';
import type { ProviderNotice } from '../payment-notices.ts';
import { NoticeRejected } from '../payment-notices.ts';
import { decryptResource, platformSignatureProblem, type SignedHeaders } from './wechat-pay-crypto.ts';
import { wechatOutcome, type WechatPayConfig } from './wechat-pay-gateway.ts';

const envelopeSchema = z.object({
  id: z.string().min(1).max(128),
  event_type: z.string().min(1).max(64),
  resource: z.object({
    algorithm: z.string(),
    ciphertext: z.string().min(1).max(64_000),
    nonce: z.string().min(1).max(64),
    associated_data: z.string().max(256).optional(),
  }),
});

const refundSchema = z.object({
  out_refund_no: z.string().min(1).max(64),
  refund_id: z.string().min(1).max(64),
  transaction_id: z.string().max(64).optional(),
  refund_status: z.string().max(32),
  amount: z.object({ refund: z.number().int().nonnegative(), total: z.number().int().nonnegative().optional() }),
});

export function readWechatNotification(
  headers: SignedHeaders,
  rawBody: string,
  config: WechatPayConfig,
  now: Date = new Date(),
): ProviderNotice {
  const problem = platformSignatureProblem(headers, rawBody, config.platformKeys, now);
  if (problem) throw new NoticeRejected(`WeChat Pay notification refused: ${problem}`);
  let envelope: z.infer<typeof envelopeSchema>;
  try {
    envelope = envelopeSchema.parse(JSON.parse(rawBody));
  } catch {
    throw new NoticeRejected('WeChat Pay notification is not a refund notification envelope', 'invalid');
  }
  let refund: z.infer<typeof refundSchema>;
  try {
    refund = refundSchema.parse(JSON.parse(decryptResource(envelope.resource, config.apiV3Key)));
  } catch (error) {
    throw new NoticeRejected(`WeChat Pay notification resource could not be opened: ${(error as Error).message.slice(0, 120)}`);
  }
  return {
    provider: 'wechat',
    eventId: envelope.id,
    eventType: envelope.event_type,
    deskRefundId: refund.out_refund_no,
    providerRefundId: refund.refund_id,
    transactionId: refund.transaction_id ?? null,
    amountMinor: refund.amount.refund,
    // WeChat Pay's refund notices carry no currency: its refunds are in fen of CNY.
    currency: 'CNY',
    outcome: wechatOutcome(refund),
  };
}
