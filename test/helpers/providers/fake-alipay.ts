// A local Alipay OpenAPI gateway (gateway.do) for the refund methods, following the published API:
// common parameters in the query string, biz_content in the form body, the request's RSA2 signature
// over every parameter but `sign`, sorted and joined as k=v&k=v, checked with the app's public key;
// answers as {"<method>_response": {...}, "sign": "..."} with the sign over the exact JSON text of
// the response object, made with Alipay's private key. alipay.trade.refund is idempotent by
// out_request_no. As Alipay documents it, a refund it did not carry out (the 'pending' fault: not
// received, or failed; answered fund_change=N) has no refund_status in the refund query, and is
// carried out when it is sent again with the same out_request_no; a refund carried out answers
// REFUND_SUCCESS, and a repeat of it moves no money (fund_change=N).
import { createSign, createVerify, generateKeyPairSync, type KeyObject } from 'node:crypto';
import type http from 'node:http';
import { FakeRail, fenOf, type Received } from './fake-rail.ts';

export interface AlipayKeys {
  app: { privateKey: KeyObject; publicKey: KeyObject; appId: string };
  alipay: { privateKey: KeyObject; publicKey: KeyObject };
}

export function alipayKeys(): AlipayKeys {
  return {
    app: { ...generateKeyPairSync('rsa', { modulusLength: 2048 }), appId: '2021000122671080' },
    alipay: generateKeyPairSync('rsa', { modulusLength: 2048 }),
  };
}

/** The desk's variables; the keys as Alipay's console shows them: bare base64, no PEM lines. */
export function alipayEnv(keys: AlipayKeys, gatewayUrl: string): Record<string, string> {
  const bare = (key: KeyObject) =>
    key
      .export({ type: key.type === 'private' ? 'pkcs8' : 'spki', format: 'pem' })
      .toString()
      .replace(/-----[A-Z ]+-----|\s/g, '');
  return {
    ALIPAY_APP_ID: keys.app.appId,
    ALIPAY_PRIVATE_KEY: bare(keys.app.privateKey),
    ALIPAY_PUBLIC_KEY: bare(keys.alipay.publicKey),
    ALIPAY_GATEWAY_URL: gatewayUrl,
  };
}

const yuan = (fen: number) => `${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;

export class FakeAlipay extends FakeRail {
  signatureFailures = 0;

  constructor(readonly keys: AlipayKeys = alipayKeys()) {
    super();
  }

  async start(): Promise<string> {
    await this.listen((req, res) => this.handle(req, res));
    return `${this.url}/gateway.do`;
  }

  env(): Record<string, string> {
    return alipayEnv(this.keys, `${this.url}/gateway.do`);
  }

  private params(req: Received): Record<string, string> {
    const query = new URL(req.path, 'http://x').searchParams;
    const form = new URLSearchParams(req.body);
    return { ...Object.fromEntries(query), ...Object.fromEntries(form) };
  }

  private verify(params: Record<string, string>): boolean {
    const content = Object.keys(params)
      .filter((k) => k !== 'sign' && params[k] !== '' && params[k] !== undefined)
      .sort()
      .map((k) => `${k}=${params[k]}`)
      .join('&');
    return (
      params.sign_type === 'RSA2' &&
      createVerify('RSA-SHA256')
        .update(content, 'utf8')
        .verify(this.keys.app.publicKey, params.sign ?? '', 'base64')
    );
  }

  private answer(
    res: http.ServerResponse,
    method: string,
    inner: Record<string, unknown>,
    signWith: KeyObject = this.keys.alipay.privateKey,
  ): void {
    const json = JSON.stringify(inner);
    const sign = createSign('RSA-SHA256').update(json, 'utf8').sign(signWith, 'base64');
    res.writeHead(200, { 'content-type': 'text/html;charset=utf-8' });
    res.end(`{"${method.replaceAll('.', '_')}_response":${json},"sign":"${sign}"}`);
  }

  private async handle(req: Received, res: http.ServerResponse): Promise<void> {
    const params = this.params(req);
    const method = params.method ?? '';
    if (params.app_id !== this.keys.app.appId || !this.verify(params)) {
      this.signatureFailures += 1;
      return this.answer(res, method, { code: '40002', msg: 'Invalid Arguments', sub_code: 'isv.invalid-signature', sub_msg: '验签出错' });
    }
    const biz = JSON.parse(params.biz_content ?? '{}') as { trade_no?: string; out_request_no?: string; refund_amount?: string };
    const tx = biz.trade_no ?? '';
    const key = biz.out_request_no ?? '';
    if (method === 'alipay.trade.fastpay.refund.query') {
      const refund = this.refunds.get(key);
      if (!refund || refund.transactionId !== tx) return this.answer(res, method, { code: '10000', msg: 'Success' });
      return this.answer(res, method, {
        code: '10000',
        msg: 'Success',
        trade_no: tx,
        out_trade_no: `otn_${tx}`,
        out_request_no: key,
        total_amount: yuan(this.payments.get(tx) ?? refund.amountMinor),
        refund_amount: yuan(refund.amountMinor),
        ...(refund.status === 'succeeded' ? { refund_status: 'REFUND_SUCCESS', gmt_refund_pay: '2026-11-30 12:00:00' } : {}),
      });
    }
    if (method !== 'alipay.trade.refund')
      return this.answer(res, method, { code: '40004', msg: 'Business Failed', sub_code: 'isv.invalid-method', sub_msg: '不存在的方法名' });
    const fen = fenOf(biz.refund_amount ?? '');
    if (!tx || !key || !Number.isFinite(fen) || fen <= 0) {
      return this.answer(res, method, {
        code: '40002',
        msg: 'Invalid Arguments',
        sub_code: 'isv.missing-parameter',
        sub_msg: '缺少必选参数',
      });
    }
    this.calls.push({ key, transactionId: tx, amountMinor: fen });
    const fault = this.nextFault();
    if (fault === 'hang') return;
    if (fault === 'transient')
      return this.answer(res, method, {
        code: '20000',
        msg: 'Service Currently Unavailable',
        sub_code: 'aop.ACQ.SYSTEM_ERROR',
        sub_msg: '系统繁忙',
      });
    if (fault === 'hard')
      return this.answer(res, method, {
        code: '40004',
        msg: 'Business Failed',
        sub_code: 'ACQ.SELLER_BALANCE_NOT_ENOUGH',
        sub_msg: '卖家余额不足',
      });
    const earlier = this.refunds.get(key);
    const repeat = earlier !== undefined && earlier.status !== 'processing';
    if (earlier && earlier.amountMinor !== fen)
      return this.answer(res, method, {
        code: '40004',
        msg: 'Business Failed',
        sub_code: 'ACQ.REFUND_AMT_NOT_EQUAL_TOTAL',
        sub_msg: '退款金额与之前请求不一致',
      });
    // Sent again after Alipay did not carry it out: this time it is (unless the fault strikes again).
    if (earlier?.status === 'processing' && fault !== 'pending') earlier.status = 'succeeded';
    const refund = this.book(key, tx, fen, fault === 'pending' ? 'processing' : 'succeeded', key);
    if (!refund)
      return this.answer(res, method, {
        code: '40004',
        msg: 'Business Failed',
        sub_code: 'ACQ.REFUND_AMT_NOT_EQUAL_TOTAL',
        sub_msg: '退款金额超限',
      });
    if (fault === 'crash') return;
    this.answer(
      res,
      method,
      {
        code: '10000',
        msg: 'Success',
        trade_no: tx,
        out_trade_no: `otn_${tx}`,
        buyer_logon_id: '159****5620',
        // Money moved by this call: not on a repeat, not while the refund is still in progress.
        fund_change: !repeat && refund.status === 'succeeded' ? 'Y' : 'N',
        refund_fee: yuan(this.refundedMinor(tx)),
      },
      fault === 'forged' ? generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey : undefined,
    );
  }
}
