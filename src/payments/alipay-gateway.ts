// Alipay refunds through Alipay's own SDK (alipay-sdk): `alipay.trade.refund` against the original
// trade with our refund id as out_request_no (a retry with the same number never refunds twice), and
// `alipay.trade.fastpay.refund.query` when the outcome is uncertain. Requests are RSA2-signed by the
// SDK; every answer's signature is checked against Alipay's public key (validateSign) before it is
// believed. Amounts go to Alipay as exact decimal strings, never floats.
//
// What Alipay's documents say, and this follows: a refund answered with fund_change=N moved no money
// in that call, and is to be queried no sooner than 10 s later. The query's 10000 means only that
// the query worked: refund_status=REFUND_SUCCESS is success, and a missing refund_status means the
// refund was not received or failed, to be retried with the same out_request_no (and amount). The
// workflow does that (not_found), a bounded number of times, then hands the refund to a person.
import { createRequire } from 'node:module';
import type { AlipaySdk } from 'alipay-sdk';
import type { AlipayConfig } from '../config.ts';

export type { AlipayConfig };
import { untilAborted } from './abortable.ts';
import { formatDecimal } from '../domain/index.ts';
import {
  TransientGatewayError,
  type GatewayOutcome,
  type PaymentGateway,
  type QueryOutcome,
  type RailLimits,
  type RefundCall,
  type RefundRef,
} from './payment-gateway.ts';

/** What the SDK hands back (camel-cased). */
interface AlipayResult {
  code?: string;
  msg?: string;
  subCode?: string;
  subMsg?: string;
  tradeNo?: string;
  outRequestNo?: string;
  fundChange?: string;
  refundFee?: string;
  refundAmount?: string;
  refundStatus?: string;
}

/** Alipay's rules: ask about a refund no sooner than 10 s after sending it. */
export const ALIPAY_LIMITS: RailLimits = { queryDelayMs: 10_000 };

const NO_REFUND_STATUS = "Alipay's refund query has no refund_status for this out_request_no: not received, or failed";

/** Business answers that mean "try again with the same out_request_no". */
const TRANSIENT_SUB_CODES = new Set(['ACQ.SYSTEM_ERROR', 'aop.ACQ.SYSTEM_ERROR', 'isp.unknow-error', 'ACQ.REFUND_TOO_FAST']);

// The Alipay SDK (~30 MB resident with its HTTP client) is loaded when an Alipay gateway is built
// (ALIPAY_APP_ID set), not by every process.
const require = createRequire(import.meta.url);
let alipay: typeof import('alipay-sdk') | undefined;
const loadAlipay = () => (alipay ??= require('alipay-sdk') as typeof import('alipay-sdk'));

export class AlipayGateway implements PaymentGateway {
  readonly name = 'alipay';
  readonly limits = ALIPAY_LIMITS;
  private readonly sdk: AlipaySdk;

  constructor(config: AlipayConfig) {
    this.sdk = new (loadAlipay().AlipaySdk)({
      appId: config.appId,
      privateKey: config.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      keyType: 'PKCS8',
      alipayPublicKey: config.alipayPublicKey.export({ type: 'spki', format: 'pem' }).toString(),
      gateway: config.gatewayUrl,
      // Longer than the workflow's own timeout, which must win: a hang is then never retried.
      timeout: config.timeoutMs + 1_000,
    });
  }

  async refund(call: RefundCall, signal: AbortSignal): Promise<GatewayOutcome> {
    const result = await this.exec(
      'alipay.trade.refund',
      {
        tradeNo: call.transactionId,
        refundAmount: formatDecimal({ amountMinor: call.amountMinor, currency: call.currency }),
        outRequestNo: call.refundId,
      },
      signal,
    );
    if (result.code !== '10000')
      return {
        status: 'failed',
        reason: `Alipay refused the refund: ${result.subCode ?? result.code} ${result.subMsg ?? result.msg ?? ''}`.trim(),
      };
    // fund_change=N: this call moved no money (a repeat of a refund already made, or one Alipay did
    // not carry out). Only the refund query can say which, and not yet: it is asked 10 s later.
    if (result.fundChange !== 'Y') return { status: 'pending', gatewayRef: result.tradeNo ?? call.transactionId };
    return { status: 'succeeded', gatewayRef: result.tradeNo ?? call.transactionId };
  }

  async query(ref: RefundRef, signal: AbortSignal): Promise<QueryOutcome> {
    const result = await this.exec(
      'alipay.trade.fastpay.refund.query',
      { tradeNo: ref.transactionId, outRequestNo: ref.refundId, queryOptions: ['gmt_refund_pay'] },
      signal,
    );
    if (result.code !== '10000') {
      if (result.subCode === 'ACQ.TRADE_NOT_EXIST') return { status: 'not_found' };
      throw new Error(`Alipay refund query failed: ${result.subCode ?? result.code} ${result.subMsg ?? ''}`.trim());
    }
    if (result.refundStatus === 'REFUND_SUCCESS') return { status: 'succeeded', gatewayRef: result.tradeNo ?? ref.transactionId };
    // No refund_status, with or without refund data: not received, or failed. Resent under the same number.
    return { status: 'not_found', detail: NO_REFUND_STATUS };
  }

  private async exec(method: string, bizContent: Record<string, unknown>, signal: AbortSignal): Promise<AlipayResult> {
    try {
      const result = (await untilAborted(() => this.sdk.exec(method, { bizContent }, { validateSign: true }), signal)) as AlipayResult;
      if (result.code === '20000' || (result.subCode && TRANSIENT_SUB_CODES.has(result.subCode))) {
        throw new TransientGatewayError(`Alipay: ${result.subCode ?? result.code} ${result.subMsg ?? result.msg ?? ''}`.trim());
      }
      return result;
    } catch (error) {
      if (error instanceof TransientGatewayError || signal.aborted) throw error;
      const message = (error as Error).message;
      // A forged or damaged answer is not an outcome: the refund stays pending until a verified query.
      if (message.includes('验签失败')) throw new Error(`Alipay answer not trusted: signature does not verify (${method})`);
      // The SDK's transport errors (no connection, HTTP 5xx, a body that is not Alipay's): retry.
      if (error instanceof loadAlipay().AlipayRequestError) throw new TransientGatewayError(`Alipay unreachable: ${message.slice(0, 160)}`);
      throw error;
    }
  }
}
