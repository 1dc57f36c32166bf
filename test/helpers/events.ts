// Builders for valid platform events (API.md), so tests state only what they vary.
import { randomBytes } from 'node:crypto';

let counter = 0;
export const uid = (prefix: string) => `${prefix}_${Date.now().toString(36)}${(counter++).toString(36)}${randomBytes(3).toString('hex')}`;

export const iso = (date: Date | number = Date.now()) => new Date(date).toISOString();

export function event(type: string, data: Record<string, unknown>, id = uid('evt')) {
  return { id, type, occurredAt: iso(), data };
}

export const merchant = (id = uid('m'), extra: Record<string, unknown> = {}) =>
  event('merchant.upserted', { id, name: 'Test shop', locale: 'zh', ...extra });

export const product = (id: string, merchantId: string, extra: Record<string, unknown> = {}) =>
  event('product.upserted', {
    id,
    merchantId,
    title: '《PPT大师进阶课》',
    category: 'course',
    priceMinor: 9900,
    currency: 'CNY',
    ...extra,
  });

export const buyer = (id: string, extra: Record<string, unknown> = {}) =>
  event('buyer.upserted', { id, name: 'Buyer', registeredAt: iso(Date.now() - 86_400_000 * 30), ...extra });

export const orderPaid = (id: string, buyerId: string, productId: string, extra: Record<string, unknown> = {}) =>
  event('order.paid', {
    id,
    buyerId,
    productId,
    amountMinor: 9900,
    currency: 'CNY',
    paidAt: iso(Date.now() - 12 * 60_000),
    payment: { method: 'sandbox', transactionId: `tx_${id}` },
    device: { id: 'd_1', ip: '203.0.113.7' },
    commissions: [],
    ...extra,
  });

export const usage = (orderId: string, kind: string, extra: Record<string, unknown> = {}) =>
  event('usage.recorded', { orderId, kind, at: iso(), ...extra });

/** A merchant, a product, a buyer with a two-level upline chain, as a list of events in order. */
export function shopFixture() {
  const m = uid('m');
  const p = uid('p');
  const leader = uid('b');
  const member = uid('b');
  const b = uid('b');
  return {
    ids: { merchant: m, product: p, leader, member, buyer: b },
    events: [merchant(m), product(p, m), buyer(leader), buyer(member, { uplineId: leader }), buyer(b, { uplineId: member })],
  };
}
