// WeChat Pay API v3 refunds (境内退款): create a refund against the original transaction with our
// refund id as out_refund_no, and look it up by out_refund_no. Requests are signed and every 2xx
// answer's signature is checked before it is believed (a forged "SUCCESS" must never settle a
// refund). PROCESSING is not success: the refund stays pending until the signed notification or a
// status query says SUCCESS. The rail's rules (a year, 50 refunds a payment, a minute apart) are
// declared as `limits` and enforced by the workflow before any call.
import type { WechatPayConfig } from '../../config.ts';

export type { WechatPayConfig };
import {
  TransientGatewayError,
  type GatewayOutcome,
  type PaymentGateway,
  type QueryOutcome,
  type RailLimits,
  type RefundCall,
  type RefundRef,
} from '../payment-gateway.ts';
import { platformSignatureProblem, signRequest, signedHeadersOf, type MerchantKey } from './wechat-pay-crypto.ts';

/** A refund as WeChat Pay describes it, in answers and in decrypted notifications. */
export interface WechatRefund {
  refund_id?: string;
  out_refund_no?: string;
  transaction_id?: string;
  status?: string;
  refund_status?: string;
  amount?: { refund?: number; total?: number };
}

export const WECHAT_LIMITS: RailLimits = { refundWindowDays: 365, maxRefundsPerPayment: 50, minIntervalMs: 60_000 };

const TRANSIENT_CODES = new Set(['SYSTEM_ERROR', 'FREQUENCY_LIMITED', 'BANK_ERROR']);
/**
 * "Lower your rate" (频率超限, HTTP 429): WeChat Pay also caps error requests per second, so these are
 * retried seconds later with jitter (refund-with-retries.ts), never within milliseconds.
 */
const RATE_LIMIT_CODES = new Set(['FREQUENCY_LIMITED']);

/** The desk's view of a WeChat refund status (SUCCESS · PROCESSING · CLOSED · ABNORMAL). */
export function wechatOutcome(refund: WechatRefund): GatewayOutcome {
  const status = refund.status ?? refund.refund_status;
  const gatewayRef = refund.refund_id ?? '';
  if (status === 'SUCCESS') return { status: 'succeeded', gatewayRef };
  if (status === 'PROCESSING') return { status: 'pending', gatewayRef };
  if (status === 'ABNORMAL')
    return { status: 'failed', reason: "WeChat Pay: refund abnormal (the buyer's account cannot receive it); refund it by hand" };
  if (status === 'CLOSED') return { status: 'failed', reason: 'WeChat Pay: refund closed' };
  return { status: 'failed', reason: `WeChat Pay: unknown refund status ${String(status).slice(0, 40)}` };
}

export class WechatPayGateway implements PaymentGateway {
  readonly name = 'wechat';
  readonly limits = WECHAT_LIMITS;
  private readonly merchant: MerchantKey;

  constructor(readonly config: WechatPayConfig) {
    this.merchant = { mchId: config.mchId, serialNo: config.serialNo, privateKey: config.privateKey };
  }

  async refund(call: RefundCall, signal: AbortSignal): Promise<GatewayOutcome> {
    const body = JSON.stringify({
      transaction_id: call.transactionId,
      out_refund_no: call.refundId,
      notify_url: this.config.notifyUrl,
      amount: { refund: call.amountMinor, total: call.totalMinor, currency: call.currency },
    });
    const answer = await this.send('POST', '/v3/refund/domestic/refunds', body, signal);
    if (answer.ok) return wechatOutcome(answer.json as WechatRefund);
    return { status: 'failed', reason: `WeChat Pay refused the refund: ${answer.code} ${answer.message}`.trim() };
  }

  async query(ref: RefundRef, signal: AbortSignal): Promise<QueryOutcome> {
    const answer = await this.send('GET', `/v3/refund/domestic/refunds/${encodeURIComponent(ref.refundId)}`, '', signal);
    if (answer.ok) return wechatOutcome(answer.json as WechatRefund);
    if (answer.httpStatus === 404 || answer.code === 'RESOURCE_NOT_EXISTS') return { status: 'not_found' };
    throw new Error(`WeChat Pay refund query failed: ${answer.code} ${answer.message}`);
  }

  private async send(
    method: 'GET' | 'POST',
    path: string,
    body: string,
    signal: AbortSignal,
  ): Promise<{ ok: true; json: unknown } | { ok: false; httpStatus: number; code: string; message: string }> {
    let response: Response;
    try {
      response = await fetch(new URL(path, this.config.apiUrl), {
        method,
        headers: {
          authorization: signRequest(this.merchant, method, path, body),
          accept: 'application/json',
          'user-agent': 'refund-desk',
          ...(method === 'POST' ? { 'content-type': 'application/json' } : {}),
        },
        ...(method === 'POST' ? { body } : {}),
        signal,
      });
    } catch (error) {
      if (signal.aborted) throw error; // A timeout: the workflow asks later, never piles on.
      throw new TransientGatewayError(`WeChat Pay unreachable: ${(error as Error).message}`);
    }
    const text = await response.text();
    if (response.status === 429 || response.status >= 500) {
      const { code } = errorOf(text);
      throw new TransientGatewayError(
        `WeChat Pay answered ${response.status}: ${code}`,
        retryAfterMs(response),
        response.status === 429 || RATE_LIMIT_CODES.has(code),
      );
    }
    if (response.ok) {
      const problem = platformSignatureProblem(
        signedHeadersOf((name) => response.headers.get(name)),
        text,
        this.config.platformKeys,
      );
      // Not transient and not a refusal: the outcome is unknown until a verified query says.
      if (problem) throw new Error(`WeChat Pay answer not trusted: ${problem}`);
      return { ok: true, json: text ? (JSON.parse(text) as unknown) : {} };
    }
    const { code, message } = errorOf(text);
    if (TRANSIENT_CODES.has(code))
      throw new TransientGatewayError(`WeChat Pay: ${code} ${message}`, retryAfterMs(response), RATE_LIMIT_CODES.has(code));
    return { ok: false, httpStatus: response.status, code, message };
  }
}

function errorOf(text: string): { code: string; message: string } {
  try {
    const json = JSON.parse(text) as { code?: unknown; message?: unknown };
    return { code: String(json.code ?? 'UNKNOWN'), message: String(json.message ?? '').slice(0, 200) };
  } catch {
    return { code: 'UNKNOWN', message: text.slice(0, 200) };
  }
}

function retryAfterMs(response: Response): number | undefined {
  const seconds = Number(response.headers.get('retry-after'));
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : undefined;
}
