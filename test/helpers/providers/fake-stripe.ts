// A local Stripe API for refunds, following the published API: form-encoded POST /v1/refunds with
// Bearer auth and the Idempotency-Key header (a repeat with the same key and parameters replays the
// first answer; other parameters under the same key are an idempotency_error), GET /v1/refunds/{id}
// and GET /v1/refunds filtered by payment_intent, charge or created[gte], with has_more paging. Its
// webhooks are signed as Stripe signs them: Stripe-Signature "t=<unix>,v1=<hex HMAC-SHA256 of
// `${t}.${payload}` under the endpoint secret>".
import { createHmac, randomBytes } from 'node:crypto';
import type http from 'node:http';
import { FakeRail, type BookedRefund, type Received } from './fake-rail.ts';

export const STRIPE_TEST_KEYS = { secretKey: `sk_test_${'4eC39HqLyjWDarjtT1zdp7dc'}`, webhookSecret: 'whsec_test0123456789abcdef' };

export function stripeEnv(apiUrl: string, keys = STRIPE_TEST_KEYS): Record<string, string> {
  return { STRIPE_SECRET_KEY: keys.secretKey, STRIPE_WEBHOOK_SECRET: keys.webhookSecret, STRIPE_API_URL: apiUrl };
}

const STATUS: Record<BookedRefund['status'], string> = { processing: 'pending', succeeded: 'succeeded', failed: 'failed' };

export class FakeStripe extends FakeRail {
  /** The charges' currency (a refund is in its charge's currency; the tests' orders are in yuan). */
  currency = 'cny';
  readonly idempotent = new Map<string, { params: string; status: number; body: string }>();
  /** Refunds made outside the desk (the dashboard): known to Stripe, unknown to the desk. */
  readonly byId = new Map<string, BookedRefund>();

  start(): Promise<string> {
    return this.listen((req, res) => this.handle(req, res));
  }

  env(): Record<string, string> {
    return stripeEnv(this.url);
  }

  refundObject(refund: BookedRefund) {
    const isCharge = refund.transactionId.startsWith('ch_');
    return {
      id: refund.providerId,
      object: 'refund',
      amount: refund.amountMinor,
      balance_transaction: null,
      charge: isCharge ? refund.transactionId : `ch_${refund.transactionId.slice(3)}`,
      created: Math.floor(refund.createdAt / 1000),
      currency: this.currency,
      metadata: refund.metadata,
      payment_intent: isCharge ? null : refund.transactionId,
      reason: 'requested_by_customer',
      status: STATUS[refund.status],
      ...(refund.status === 'failed' ? { failure_reason: 'expired_or_canceled_card' } : {}),
    };
  }

  /** A refund made in the dashboard: Stripe has it, the desk does not. */
  dashboardRefund(transactionId: string, amountMinor: number): BookedRefund {
    const refund = this.book(
      `dash_${randomBytes(4).toString('hex')}`,
      transactionId,
      amountMinor,
      'succeeded',
      `re_${randomBytes(12).toString('hex')}`,
    )!;
    this.byId.set(refund.providerId, refund);
    return refund;
  }

  private send(res: http.ServerResponse, status: number, json: unknown, replay = false): string {
    const body = JSON.stringify(json);
    res.writeHead(status, {
      'content-type': 'application/json',
      'request-id': `req_${randomBytes(6).toString('hex')}`,
      ...(replay ? { 'idempotent-replayed': 'true' } : {}),
    });
    res.end(body);
    return body;
  }

  private error(res: http.ServerResponse, status: number, type: string, message: string, code?: string) {
    return this.send(res, status, { error: { type, message, ...(code ? { code } : {}) } });
  }

  private async handle(req: Received, res: http.ServerResponse): Promise<void> {
    if (req.headers.authorization !== `Bearer ${STRIPE_TEST_KEYS.secretKey}`) {
      this.error(res, 401, 'invalid_request_error', 'Invalid API Key provided');
      return;
    }
    const url = new URL(req.path, 'http://x');
    if (req.method === 'GET' && url.pathname.startsWith('/v1/refunds/')) {
      const refund = this.byId.get(url.pathname.split('/').pop()!);
      if (!refund) return void this.error(res, 404, 'invalid_request_error', 'No such refund', 'resource_missing');
      return void this.send(res, 200, this.refundObject(refund));
    }
    if (req.method === 'GET' && url.pathname === '/v1/refunds') {
      const q = url.searchParams;
      const pi = q.get('payment_intent');
      const charge = q.get('charge');
      const gte = q.get('created[gte]');
      const limit = Number(q.get('limit') ?? 10);
      let all = [...this.byId.values()]
        .filter(
          (r) => (!pi || r.transactionId === pi) && (!charge || r.transactionId === charge || `ch_${r.transactionId.slice(3)}` === charge),
        )
        .filter((r) => !gte || r.createdAt / 1000 >= Number(gte) - 1)
        .sort((a, b) => b.createdAt - a.createdAt);
      const after = q.get('starting_after');
      if (after) all = all.slice(all.findIndex((r) => r.providerId === after) + 1);
      return void this.send(res, 200, {
        object: 'list',
        url: '/v1/refunds',
        has_more: all.length > limit,
        data: all.slice(0, limit).map((r) => this.refundObject(r)),
      });
    }
    if (req.method !== 'POST' || url.pathname !== '/v1/refunds')
      return void this.error(res, 404, 'invalid_request_error', 'Unrecognized request URL');
    const form = new URLSearchParams(req.body);
    const key = String(req.headers['idempotency-key'] ?? '');
    const replay = key ? this.idempotent.get(key) : undefined;
    if (replay) {
      if (replay.params !== req.body)
        return void this.error(
          res,
          400,
          'idempotency_error',
          'Keys for idempotent requests can only be used with the same parameters they were first used with.',
        );
      res.writeHead(replay.status, { 'content-type': 'application/json', 'idempotent-replayed': 'true' });
      return void res.end(replay.body);
    }
    const tx = form.get('payment_intent') ?? form.get('charge') ?? '';
    const amount = Number(form.get('amount'));
    if (!tx || !Number.isInteger(amount) || amount <= 0)
      return void this.error(res, 400, 'invalid_request_error', 'Missing required param: payment_intent.', 'parameter_missing');
    const metadata: Record<string, string> = {};
    for (const [k, v] of form) {
      const m = /^metadata\[(.+)\]$/.exec(k);
      if (m) metadata[m[1]!] = v;
    }
    this.calls.push({ key: metadata.desk_refund_id ?? key, transactionId: tx, amountMinor: amount });
    const fault = this.nextFault();
    if (fault === 'hang') return;
    // Rate limited before anything executed: Stripe saves no idempotent result, a retry may go through.
    if (fault === 'transient')
      return void this.error(res, 429, 'invalid_request_error', 'Too many requests hit the API too quickly.', 'rate_limit');
    const remember = (status: number, body: string) => key && this.idempotent.set(key, { params: req.body, status, body });
    if (fault === 'hard') {
      return void remember(
        400,
        this.error(res, 400, 'invalid_request_error', 'This charge has been disputed and cannot be refunded.', 'charge_disputed'),
      );
    }
    const refund = this.book(
      key || `k_${randomBytes(6).toString('hex')}`,
      tx,
      amount,
      fault === 'pending' ? 'processing' : 'succeeded',
      `re_${randomBytes(12).toString('hex')}`,
      metadata,
    );
    if (!refund)
      return void remember(
        400,
        this.error(res, 400, 'invalid_request_error', 'Refund amount is greater than unrefunded amount on charge.', 'amount_too_large'),
      );
    this.byId.set(refund.providerId, refund);
    const body = JSON.stringify(this.refundObject(refund));
    remember(200, body);
    if (fault === 'crash') return;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(body);
  }

  /** A webhook event's body and its Stripe-Signature, signed with `secret` at `at`. */
  webhook(type: string, object: unknown, options: { id?: string; secret?: string; at?: number } = {}): { body: string; signature: string } {
    const body = JSON.stringify({
      id: options.id ?? `evt_${randomBytes(12).toString('hex')}`,
      object: 'event',
      api_version: '2025-01-27.acacia',
      created: Math.floor(Date.now() / 1000),
      type,
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      data: { object },
    });
    const t = Math.floor((options.at ?? Date.now()) / 1000);
    const v1 = createHmac('sha256', options.secret ?? STRIPE_TEST_KEYS.webhookSecret)
      .update(`${t}.${body}`)
      .digest('hex');
    return { body, signature: `t=${t},v1=${v1}` };
  }
}
