// Helpers for refund-request tests: a shop with a buyer chain, fresh orders, and API calls.
import { createHash } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { DEMO } from '../../src/demo/demo-shop.ts';
import { TEST_SECRETS, type TestDesk } from './test-desk.ts';

const DEMO_BUYER = DEMO.buyers.buyer;
import { buyer as buyerEvent, iso, orderPaid, shopFixture, uid, usage } from './events.ts';

export const bearer = { authorization: `Bearer ${TEST_SECRETS.PLATFORM_API_KEY}` };

export async function seedShop(t: TestDesk) {
  const shop = shopFixture();
  for (const e of shop.events) {
    const r = await t.postEvent(e);
    if (r.statusCode !== 200) throw new Error(`seeding failed: ${r.body}`);
  }
  return shop.ids;
}

/** A device id and an IPv6 documentation address (2001:db8::/32) of a buyer's own. */
export function deviceOf(buyerId: string): { id: string; ip: string } {
  const h = createHash('sha256').update(buyerId).digest('hex');
  return { id: `d_${buyerId}`, ip: `2001:db8:${h.slice(0, 4)}:${h.slice(4, 8)}::${h.slice(8, 12)}` };
}

/** An order paid `minutesAgo` ago, with optional usage, by the shop's buyer. */
export async function newOrder(
  t: TestDesk,
  ids: { buyer: string; product: string; member: string; leader: string },
  options: {
    minutesAgo?: number;
    method?: string;
    progress?: number;
    usage?: string[];
    amountMinor?: number;
    /** The order's currency (default CNY); the product must be priced in it. */
    currency?: string;
    device?: { id?: string; ip?: string };
    productId?: string;
    payerAccount?: string;
    /** The provider's transaction id for the order (default wx_<order id>). */
    transactionIdOf?: (orderId: string) => string;
    /** The whole payment, when one payment paid for several orders. */
    paymentTotalMinor?: number;
  } = {},
): Promise<string> {
  const id = uid('o');
  const r = await t.postEvent(
    orderPaid(id, ids.buyer, options.productId ?? ids.product, {
      paidAt: iso(Date.now() - (options.minutesAgo ?? 12) * 60_000),
      amountMinor: options.amountMinor ?? 9900,
      ...(options.currency ? { currency: options.currency } : {}),
      payment: {
        method: options.method ?? 'wechat',
        transactionId: options.transactionIdOf?.(id) ?? `wx_${id}`,
        ...(options.payerAccount ? { payerAccount: options.payerAccount } : {}),
        ...(options.paymentTotalMinor ? { totalMinor: options.paymentTotalMinor } : {}),
      },
      // Each buyer its own phone and address, as in life: shared ones are what the risk rules look for.
      device: options.device ?? deviceOf(ids.buyer),
      commissions: [
        { beneficiaryId: ids.member, level: 1, amountMinor: 990 },
        { beneficiaryId: ids.leader, level: 2, amountMinor: 495 },
      ],
    }),
  );
  if (r.statusCode !== 200) throw new Error(`order failed: ${r.body}`);
  if (options.progress !== undefined) await t.postEvent(usage(id, 'course.progress', { value: options.progress }));
  for (const kind of options.usage ?? []) await t.postEvent(usage(id, kind));
  return id;
}

export function requestRefund(t: TestDesk, body: Record<string, unknown>): Promise<LightMyRequestResponse> {
  return t.desk.server.inject({
    method: 'POST',
    url: '/v1/refund-requests',
    headers: { ...bearer, 'content-type': 'application/json' },
    payload: JSON.stringify(body),
  });
}

export function api(t: TestDesk, method: 'GET' | 'POST', url: string, body?: unknown): Promise<LightMyRequestResponse> {
  return t.desk.server.inject({
    method,
    url,
    headers: { ...bearer, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
  });
}

/** The same shop with a new buyer under the same uplines: a clean refund history for one test. */
export async function freshBuyer<T extends { buyer: string; member: string }>(t: TestDesk, ids: T): Promise<T> {
  const buyerId = uid('b');
  const r = await t.postEvent(buyerEvent(buyerId, { uplineId: ids.member }));
  if (r.statusCode !== 200) throw new Error(`buyer failed: ${r.body}`);
  return { ...ids, buyer: buyerId };
}

/** The demo buyer asks for refunds of the demo orders through the API, as the article's scenarios do. */
export function askDemoRefund(t: TestDesk, orderId: string, reasonCode: string, reasonText: string): Promise<LightMyRequestResponse> {
  return requestRefund(t, { orderId, buyerId: DEMO_BUYER, reasonCode, reasonText, channel: 'api' });
}
