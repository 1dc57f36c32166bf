// The shop the conversations happen in, seeded as the platform would: signed events (POST /v1/events)
// for the merchant, its products, each conversation's buyer and their orders and usage, and the
// shop's own refund call (POST /v1/refund-requests) for what happened before the chat. Times are
// relative to the moment a conversation's buyer is seeded, right before that conversation runs.
import { randomBytes } from 'node:crypto';
import type { Locale } from '../../src/domain/catalog.ts';
import type { BuyerSpec, OrderSpec } from './spec.ts';

export interface Product {
  title: string;
  category: 'course' | 'software_key' | 'membership' | 'template';
  priceMinor: number;
  /** What buyers call it, to check that an answer is about this product (any one of them). */
  names: string[];
}

/** Fourteen products over the four categories, titled as a Chinese shop with some English goods titles them. */
export const PRODUCTS = {
  excel: { title: '《Excel函数与数据透视表实战课》', category: 'course', priceMinor: 9_900, names: ['Excel'] },
  ppt: { title: '《PPT大师进阶课》', category: 'course', priceMinor: 9_900, names: ['PPT大师', 'PPT'] },
  drawing: { title: '《零基础板绘插画课》', category: 'course', priceMinor: 14_900, names: ['板绘', '插画'] },
  photo: { title: '《手机摄影从入门到精通》', category: 'course', priceMinor: 12_900, names: ['摄影'] },
  python: { title: 'Python for Data Analysis (video course)', category: 'course', priceMinor: 25_900, names: ['Python'] },
  procreate: { title: 'Procreate Drawing Course for Beginners', category: 'course', priceMinor: 16_900, names: ['Procreate', 'Drawing'] },
  photoBundle: {
    title: 'The Photography Bundle: Lightroom & Portrait Masterclass',
    category: 'course',
    priceMinor: 19_900,
    names: ['Photography Bundle', 'Photography'],
  },
  office: { title: 'Office 2021 专业增强版激活码', category: 'software_key', priceMinor: 12_900, names: ['Office'] },
  xmind: { title: 'XMind Pro licence key (1 year)', category: 'software_key', priceMinor: 8_900, names: ['XMind'] },
  vip: { title: '爱学堂年度VIP会员', category: 'membership', priceMinor: 26_800, names: ['爱学堂', 'VIP'] },
  melody: { title: 'Melody+ Premium membership (12 months)', category: 'membership', priceMinor: 15_800, names: ['Melody+', 'Melody'] },
  resume: { title: '简约商务简历模板合集（Word/PS）', category: 'template', priceMinor: 3_900, names: ['简历'] },
  yearEnd: { title: '2025年终总结PPT模板包', category: 'template', priceMinor: 5_900, names: ['年终总结', '模板包'] },
  brand: { title: 'Brand Identity Design Template Pack', category: 'template', priceMinor: 12_900, names: ['Brand Identity', 'Brand'] },
} satisfies Record<string, Product>;

export type ProductKey = keyof typeof PRODUCTS;

export const MERCHANT = { name: '晴空数字小铺', locale: 'zh' as Locale };

/** How the suite reaches the desk: its signed event route and the shop's refund call. */
export interface ShopGate {
  postEvent(event: unknown): Promise<{ statusCode: number; body: string }>;
  requestRefund(body: Record<string, unknown>): Promise<{ statusCode: number; body: string }>;
}

let counter = 0;
const token = () => `${Date.now().toString(36)}${(counter++).toString(36)}${randomBytes(2).toString('hex')}`;
const iso = (ms: number) => new Date(ms).toISOString();

function event(type: string, data: Record<string, unknown>) {
  return { id: `evt_${token()}`, type, occurredAt: iso(Date.now()), data };
}

async function send(gate: ShopGate, e: ReturnType<typeof event>): Promise<void> {
  const res = await gate.postEvent(e);
  if (res.statusCode >= 300) throw new Error(`seeding ${e.type} failed: ${res.statusCode} ${res.body}`);
}

export interface SeededShop {
  merchantId: string;
  /** Product key → product id. */
  products: Record<ProductKey, string>;
}

/** The merchant and its products, once per run. */
export async function seedShop(gate: ShopGate): Promise<SeededShop> {
  const run = token();
  const merchantId = `m_${run}`;
  await send(gate, event('merchant.upserted', { id: merchantId, name: MERCHANT.name, locale: MERCHANT.locale }));
  const products = {} as Record<ProductKey, string>;
  for (const [key, p] of Object.entries(PRODUCTS) as Array<[ProductKey, Product]>) {
    const id = `p_${key}_${run}`;
    await send(
      gate,
      event('product.upserted', { id, merchantId, title: p.title, category: p.category, priceMinor: p.priceMinor, currency: 'CNY' }),
    );
    products[key] = id;
  }
  return { merchantId, products };
}

export interface SeededBuyer {
  buyerId: string;
  /** Order key → order id. */
  orders: Record<string, string>;
  /** Every id a buyer should never be shown unless they typed it (orders, products, the buyer). */
  internalIds: string[];
}

/**
 * One conversation's buyer: account, orders (each from its own payment), usage, and what the shop
 * did before the chat. Each buyer pays from one phone and one address of their own, as people do,
 * so no risk rule links conversations to each other.
 */
export async function seedBuyer(gate: ShopGate, shop: SeededShop, spec: BuyerSpec, index: number): Promise<SeededBuyer> {
  const now = Date.now();
  const run = token();
  const buyerId = `b_${run}`;
  const device = { id: `d_phone_${run}`, ip: `${index % 2 === 0 ? '198.51.100' : '203.0.113'}.${(Math.floor(index / 2) % 250) + 2}` };
  await send(
    gate,
    event('buyer.upserted', {
      id: buyerId,
      name: spec.name,
      locale: spec.locale,
      registeredAt: iso(now - spec.accountAgeDays * 86_400_000),
    }),
  );
  const orders: Record<string, string> = {};
  const methods = ['wechat', 'alipay', 'card'] as const;
  // Oldest first, as the platform would have sent them.
  const entries = Object.entries(spec.orders).sort(([, a], [, b]) => b.ageMinutes - a.ageMinutes);
  for (const [i, [key, order]] of entries.entries()) {
    const id = `o_${key.toLowerCase()}_${run}`;
    const product = PRODUCTS[order.product as ProductKey];
    if (!product) throw new Error(`unknown product ${order.product}`);
    const paidAt = now - order.ageMinutes * 60_000;
    await send(
      gate,
      event('order.paid', {
        id,
        buyerId,
        productId: shop.products[order.product as ProductKey],
        amountMinor: product.priceMinor,
        currency: 'CNY',
        paidAt: iso(paidAt),
        payment: { method: order.method ?? methods[(index + i) % methods.length], transactionId: `tx_${id}` },
        device,
        commissions: [],
      }),
    );
    orders[key] = id;
    await seedUsage(gate, id, order, paidAt, now);
  }
  for (const [key, order] of entries) {
    if (!order.before) continue;
    const body =
      order.before === 'refunded'
        ? {
            orderId: orders[key],
            buyerId,
            reasonCode: 'changed_mind',
            reasonText: spec.locale === 'zh' ? '买错了' : 'bought by mistake',
            channel: 'shop',
          }
        : {
            orderId: orders[key],
            buyerId,
            reasonCode: 'cannot_use',
            reasonText: spec.locale === 'zh' ? '打不开' : "won't open",
            channel: 'shop',
          };
    const res = await gate.requestRefund(body);
    const view = JSON.parse(res.body) as { status?: string };
    const wanted = order.before === 'refunded' ? ['refunded', 'refund_pending'] : ['troubleshooting'];
    if (res.statusCode >= 300 || !wanted.includes(view.status ?? '')) {
      throw new Error(
        `seeding "${order.before}" for order ${key} gave ${res.statusCode} ${res.body.slice(0, 300)}: the fixture's order must allow it`,
      );
    }
  }
  return { buyerId, orders, internalIds: [buyerId, ...Object.values(orders), ...Object.values(shop.products), shop.merchantId] };
}

/** Usage happens after the payment: spread between it and now, in the order listed. */
async function seedUsage(gate: ShopGate, orderId: string, order: OrderSpec, paidAt: number, now: number): Promise<void> {
  const list = order.usage ?? [];
  for (const [i, u] of list.entries()) {
    const at = paidAt + Math.floor(((now - paidAt) * (i + 1)) / (list.length + 1));
    await send(gate, event('usage.recorded', { orderId, kind: u.kind, at: iso(at), ...('value' in u ? { value: u.value } : {}) }));
  }
}
