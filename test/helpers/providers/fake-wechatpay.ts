// A local WeChat Pay API v3 for the refund endpoints, following the published API: POST
// /v3/refund/domestic/refunds and GET /v3/refund/domestic/refunds/{out_refund_no}, requests
// authenticated by the WECHATPAY2-SHA256-RSA2048 Authorization header (checked against the
// merchant's public key), answers signed with the platform key (Wechatpay-* headers), and refund
// notifications posted to the notify_url with the resource encrypted by AEAD_AES_256_GCM under the
// APIv3 key. Keys are generated here, per test.
import { createCipheriv, createSign, createVerify, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import type http from 'node:http';
import { FakeRail, type BookedRefund, type Received } from './fake-rail.ts';

export interface PlatformKeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
  keyId: string;
}

export interface WechatKeys {
  merchant: { privateKey: KeyObject; publicKey: KeyObject; serialNo: string; mchId: string };
  /** The key WeChat Pay signs with today. */
  platform: PlatformKeyPair;
  /** The key it is rotating to (a new 微信支付公钥, or the platform certificate being replaced): trusted too. */
  next: PlatformKeyPair;
  apiV3Key: string;
}

export function wechatKeys(): WechatKeys {
  const merchant = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pair = (): PlatformKeyPair => ({
    ...generateKeyPairSync('rsa', { modulusLength: 2048 }),
    keyId: `PUB_KEY_ID_${randomBytes(12).toString('hex')}`,
  });
  return {
    merchant: { ...merchant, serialNo: randomBytes(20).toString('hex').toUpperCase(), mchId: '1900000109' },
    platform: pair(),
    next: pair(),
    apiV3Key: randomBytes(16).toString('hex'),
  };
}

const pem = (key: KeyObject) => key.export({ type: key.type === 'private' ? 'pkcs8' : 'spki', format: 'pem' }).toString();

/**
 * The desk's variables for this provider (keys as PEM text with \n escapes, as in an .env file):
 * both platform keys, as during a rotation, unless `only` names the one to trust.
 */
export function wechatEnv(keys: WechatKeys, apiUrl: string, only?: 'platform'): Record<string, string> {
  const trusted = only ? [keys.platform] : [keys.platform, keys.next];
  return {
    WECHATPAY_MCH_ID: keys.merchant.mchId,
    WECHATPAY_MCH_SERIAL_NO: keys.merchant.serialNo,
    WECHATPAY_PRIVATE_KEY: pem(keys.merchant.privateKey).replace(/\n/g, '\\n'),
    WECHATPAY_PLATFORM_PUBLIC_KEY: trusted.map((k) => pem(k.publicKey).replace(/\n/g, '\\n')).join(','),
    WECHATPAY_PLATFORM_PUBLIC_KEY_ID: trusted.map((k) => k.keyId).join(','),
    WECHATPAY_APIV3_KEY: keys.apiV3Key,
    WECHATPAY_API_URL: apiUrl,
  };
}

const STATUS: Record<BookedRefund['status'], string> = { processing: 'PROCESSING', succeeded: 'SUCCESS', failed: 'ABNORMAL' };

export class FakeWechatPay extends FakeRail {
  /** notify_url per refund, as the merchant gave it. */
  readonly notifyUrls = new Map<string, string>();
  authFailures = 0;
  /** Which platform key answers and notifications are signed with (`next` once WeChat Pay has rotated). */
  signingKey: 'platform' | 'next' = 'platform';

  constructor(readonly keys: WechatKeys = wechatKeys()) {
    super();
  }

  start(): Promise<string> {
    return this.listen((req, res) => this.handle(req, res));
  }

  env(): Record<string, string> {
    return wechatEnv(this.keys, this.url);
  }

  /** Headers WeChat Pay signs a body with; `key` other than the signing key makes a forgery. */
  signedHeaders(body: string, key: KeyObject = this.keys[this.signingKey].privateKey, at = Date.now()): Record<string, string> {
    const timestamp = String(Math.floor(at / 1000));
    const nonce = randomBytes(16).toString('hex');
    const signature = createSign('RSA-SHA256').update(`${timestamp}\n${nonce}\n${body}\n`).sign(key, 'base64');
    return {
      'wechatpay-timestamp': timestamp,
      'wechatpay-nonce': nonce,
      'wechatpay-signature': signature,
      'wechatpay-serial': this.keys[this.signingKey].keyId,
    };
  }

  private verifyAuthorization(req: Received): boolean {
    const header = req.headers.authorization ?? '';
    const match = /^WECHATPAY2-SHA256-RSA2048 (.+)$/.exec(header);
    if (!match) return false;
    const params = Object.fromEntries([...match[1]!.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (params.mchid !== this.keys.merchant.mchId || params.serial_no !== this.keys.merchant.serialNo) return false;
    if (Math.abs(Date.now() / 1000 - Number(params.timestamp)) > 300) return false;
    const message = `${req.method}\n${req.path}\n${params.timestamp}\n${params.nonce_str}\n${req.body}\n`;
    return createVerify('RSA-SHA256')
      .update(message)
      .verify(this.keys.merchant.publicKey, params.signature ?? '', 'base64');
  }

  private answer(res: http.ServerResponse, status: number, json: unknown, forged = false): void {
    const body = JSON.stringify(json);
    const headers = this.signedHeaders(body, forged ? generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey : undefined);
    res.writeHead(status, { 'content-type': 'application/json', 'request-id': randomBytes(8).toString('hex'), ...headers });
    res.end(body);
  }

  private view(refund: BookedRefund, total: number) {
    return {
      refund_id: refund.providerId,
      out_refund_no: refund.key,
      transaction_id: refund.transactionId,
      out_trade_no: `otn_${refund.transactionId}`,
      channel: 'ORIGINAL',
      user_received_account: '支付用户零钱',
      ...(refund.status === 'succeeded' ? { success_time: new Date().toISOString() } : {}),
      create_time: new Date(refund.createdAt).toISOString(),
      status: STATUS[refund.status],
      funds_account: 'AVAILABLE',
      amount: {
        total,
        refund: refund.amountMinor,
        payer_total: total,
        payer_refund: refund.amountMinor,
        settlement_refund: refund.amountMinor,
        settlement_total: total,
        discount_refund: 0,
        currency: 'CNY',
        refund_fee: 0,
      },
    };
  }

  private async handle(req: Received, res: http.ServerResponse): Promise<void> {
    if (!this.verifyAuthorization(req)) {
      this.authFailures += 1;
      return this.answer(res, 401, { code: 'SIGN_ERROR', message: '签名错误' });
    }
    if (req.method === 'GET' && req.path.startsWith('/v3/refund/domestic/refunds/')) {
      const refund = this.refunds.get(decodeURIComponent(req.path.split('/').pop()!));
      if (!refund) return this.answer(res, 404, { code: 'RESOURCE_NOT_EXISTS', message: '退款单不存在' });
      return this.answer(res, 200, this.view(refund, this.payments.get(refund.transactionId) ?? refund.amountMinor));
    }
    if (req.method !== 'POST' || req.path !== '/v3/refund/domestic/refunds')
      return this.answer(res, 404, { code: 'NOT_FOUND', message: 'no such API' });
    const body = JSON.parse(req.body) as {
      transaction_id?: string;
      out_refund_no?: string;
      notify_url?: string;
      amount?: { refund?: number; total?: number; currency?: string };
    };
    const { transaction_id: tx, out_refund_no: key, amount } = body;
    if (!tx || !key || !Number.isInteger(amount?.refund) || !Number.isInteger(amount?.total) || amount!.currency !== 'CNY') {
      return this.answer(res, 400, { code: 'PARAM_ERROR', message: '参数错误' });
    }
    this.calls.push({ key, transactionId: tx, amountMinor: amount!.refund! });
    const fault = this.nextFault();
    if (fault === 'hang') return; // No answer; nothing executed.
    if (fault === 'transient') return this.answer(res, 500, { code: 'SYSTEM_ERROR', message: '系统超时，请使用相同参数稍后重新调用' });
    if (fault === 'rate_limited') return this.answer(res, 429, { code: 'FREQUENCY_LIMITED', message: '频率超限，请降低请求接口频率' });
    if (fault === 'hard') return this.answer(res, 403, { code: 'NOT_ENOUGH', message: '基本账户余额不足，请充值后重新发起' });
    const known = this.payments.get(tx);
    if (known !== undefined && known !== amount!.total)
      return this.answer(res, 400, { code: 'PARAM_ERROR', message: '订单金额或退款金额与之前请求不一致' });
    this.payments.set(tx, amount!.total!);
    if (body.notify_url) this.notifyUrls.set(key, body.notify_url);
    const previous = this.refunds.get(key);
    if (previous && previous.amountMinor !== amount!.refund)
      return this.answer(res, 400, { code: 'INVALID_REQUEST', message: '订单金额或退款金额与之前请求不一致，请核实后再试' });
    const refund = this.book(
      key,
      tx,
      amount!.refund!,
      fault === 'pending' ? 'processing' : 'succeeded',
      `50300${randomBytes(10).toString('hex')}`,
    );
    if (!refund) return this.answer(res, 400, { code: 'INVALID_REQUEST', message: '申请退款金额超过订单可退金额' });
    if (fault === 'crash') return; // Executed; the merchant never hears.
    this.answer(res, 200, this.view(refund, amount!.total!), fault === 'forged');
  }

  /** The refund notification's body for a booked refund, its resource encrypted with `apiV3Key`. */
  notificationBody(key: string, options: { eventId?: string; apiV3Key?: string; amountMinor?: number } = {}): string {
    const refund = this.refunds.get(key);
    if (!refund) throw new Error(`no refund ${key}`);
    const resource = JSON.stringify({
      mchid: this.keys.merchant.mchId,
      out_trade_no: `otn_${refund.transactionId}`,
      transaction_id: refund.transactionId,
      out_refund_no: refund.key,
      refund_id: refund.providerId,
      refund_status: STATUS[refund.status],
      success_time: new Date().toISOString(),
      user_received_account: '支付用户零钱',
      amount: {
        total: this.payments.get(refund.transactionId) ?? refund.amountMinor,
        refund: options.amountMinor ?? refund.amountMinor,
        payer_total: refund.amountMinor,
        payer_refund: refund.amountMinor,
      },
    });
    const nonce = randomBytes(6).toString('hex');
    const cipher = createCipheriv('aes-256-gcm', Buffer.from(options.apiV3Key ?? this.keys.apiV3Key, 'utf8'), Buffer.from(nonce, 'utf8'));
    cipher.setAAD(Buffer.from('refund', 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(resource, 'utf8'), cipher.final(), cipher.getAuthTag()]).toString('base64');
    const eventType =
      refund.status === 'succeeded' ? 'REFUND.SUCCESS' : refund.status === 'failed' ? 'REFUND.ABNORMAL' : 'REFUND.PROCESSING';
    return JSON.stringify({
      id: options.eventId ?? `EV-${randomBytes(8).toString('hex')}`,
      create_time: new Date().toISOString(),
      resource_type: 'encrypt-resource',
      event_type: eventType,
      summary: '退款成功',
      resource: { original_type: 'refund', algorithm: 'AEAD_AES_256_GCM', ciphertext, associated_data: 'refund', nonce },
    });
  }

  /** Posts a notification to the notify_url the merchant gave; returns the merchant's HTTP status. */
  async notify(body: string, headers: Record<string, string> = this.signedHeaders(body)): Promise<number> {
    const url = [...this.notifyUrls.values()].at(-1);
    if (!url) throw new Error('the merchant never gave a notify_url');
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    await response.arrayBuffer();
    return response.status;
  }
}
