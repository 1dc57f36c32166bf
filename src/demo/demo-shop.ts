// The embedded default's demo shop, built from platform events and applied through the same path as
// real ones (validation included). Event ids are fixed, so seeding again applies nothing new.
//
// The chain: 小李 (b_demo_buyer) was referred by 张组员 (b_demo_member), who was referred by
// 王团长 (b_demo_leader). Orders reproduce the article's scenarios for the course 《PPT大师进阶课》:
// M21 (12 minutes ago), M22 (2 hours ago, 20 % watched) and M23 (3 days ago).
import type { PlatformEvent } from '../events/index.ts';

export const DEMO = {
  merchantId: 'm_demo',
  products: {
    course: 'p_demo_ppt_course',
    softwareKey: 'p_demo_office_key',
    membership: 'p_demo_vip_month',
    template: 'p_demo_ppt_templates',
  },
  buyers: { buyer: 'b_demo_buyer', buyerEn: 'b_demo_alice', member: 'b_demo_member', leader: 'b_demo_leader' },
  orders: {
    m21: 'o_demo_m21',
    m22: 'o_demo_m22',
    m23: 'o_demo_m23',
    m21En: 'o_demo_m21_en',
    keyCopied: 'o_demo_key_copied',
    membershipActive: 'o_demo_vip_active',
    templateDownloaded: 'o_demo_tpl_downloaded',
  },
} as const;

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

type Data<T extends PlatformEvent['type']> = Extract<PlatformEvent, { type: T }>['data'];

function ev<T extends PlatformEvent['type']>(id: string, type: T, occurredAt: Date, data: Data<T>): PlatformEvent {
  return { id, type, occurredAt: occurredAt.toISOString(), data } as PlatformEvent;
}

/** Course commissions: 10 % to the level-1 upline, 5 % to level 2 (minor units, rounded down). */
function chainCommissions(amountMinor: number) {
  return [
    { beneficiaryId: DEMO.buyers.member, level: 1 as const, amountMinor: Math.floor(amountMinor * 0.1) },
    { beneficiaryId: DEMO.buyers.leader, level: 2 as const, amountMinor: Math.floor(amountMinor * 0.05) },
  ];
}

function shopEvents(now: Date): PlatformEvent[] {
  const at = (offsetMs: number) => new Date(now.getTime() - offsetMs);
  const { products, buyers } = DEMO;
  return [
    ev('evt_demo_merchant', 'merchant.upserted', at(90 * DAY), {
      id: DEMO.merchantId,
      name: '链动小铺示范店',
      locale: 'zh',
      timeZone: 'Asia/Shanghai',
      digest: { email: 'owner@demo-shop.example' },
    }),
    ev('evt_demo_p_course', 'product.upserted', at(90 * DAY), {
      id: products.course,
      merchantId: DEMO.merchantId,
      title: '《PPT大师进阶课》',
      category: 'course',
      priceMinor: 9900,
      currency: 'CNY',
    }),
    ev('evt_demo_p_key', 'product.upserted', at(90 * DAY), {
      id: products.softwareKey,
      merchantId: DEMO.merchantId,
      title: 'Office 办公套件激活码',
      category: 'software_key',
      priceMinor: 19900,
      currency: 'CNY',
    }),
    ev('evt_demo_p_vip', 'product.upserted', at(90 * DAY), {
      id: products.membership,
      merchantId: DEMO.merchantId,
      title: '视频会员月卡',
      category: 'membership',
      priceMinor: 3000,
      currency: 'CNY',
    }),
    ev('evt_demo_p_tpl', 'product.upserted', at(90 * DAY), {
      id: products.template,
      merchantId: DEMO.merchantId,
      title: '商务PPT模板包',
      category: 'template',
      priceMinor: 2900,
      currency: 'CNY',
    }),
    ev('evt_demo_b_leader', 'buyer.upserted', at(400 * DAY), {
      id: buyers.leader,
      name: '王团长',
      registeredAt: at(400 * DAY).toISOString(),
      locale: 'zh',
    }),
    ev('evt_demo_b_member', 'buyer.upserted', at(200 * DAY), {
      id: buyers.member,
      name: '张组员',
      registeredAt: at(200 * DAY).toISOString(),
      uplineId: buyers.leader,
      locale: 'zh',
    }),
    ev('evt_demo_b_buyer', 'buyer.upserted', at(60 * DAY), {
      id: buyers.buyer,
      name: '李小明',
      registeredAt: at(60 * DAY).toISOString(),
      uplineId: buyers.member,
      locale: 'zh',
    }),
    ev('evt_demo_b_alice', 'buyer.upserted', at(30 * DAY), {
      id: buyers.buyerEn,
      name: 'Alice Chen',
      registeredAt: at(30 * DAY).toISOString(),
      uplineId: buyers.member,
      locale: 'en',
    }),
  ];
}

/**
 * The scenario orders. `suffix` makes a fresh set (new ids) for trying the scenarios again later,
 * since an order bought "12 minutes ago" is only 12 minutes old for a while.
 */
export function scenarioEvents(now: Date, suffix = ''): PlatformEvent[] {
  const at = (offsetMs: number) => new Date(now.getTime() - offsetMs);
  const { products, buyers, orders } = DEMO;
  const id = (base: string) => `${base}${suffix}`;
  // Each demo buyer pays from their own phone: shared devices are what the risk rules look for.
  const devices: Record<string, { id: string; ip: string }> = {
    [buyers.buyer]: { id: 'd_demo_li_phone', ip: '203.0.113.7' },
    [buyers.buyerEn]: { id: 'd_demo_alice_phone', ip: '198.51.100.23' },
  };
  const order = (
    orderId: string,
    buyerId: string,
    productId: string,
    amountMinor: number,
    paidAgo: number,
    method: 'wechat' | 'alipay' | 'sandbox' = 'sandbox',
  ) =>
    ev(id(`evt_demo_paid_${orderId}`), 'order.paid', at(paidAgo), {
      id: id(orderId),
      buyerId,
      productId,
      amountMinor,
      currency: 'CNY',
      paidAt: at(paidAgo).toISOString(),
      payment: { method, transactionId: id(`tx_${orderId}`) },
      device: devices[buyerId]!,
      commissions: chainCommissions(amountMinor),
    });
  const usage = (orderId: string, kind: Data<'usage.recorded'>['kind'], ago: number, value?: number) =>
    ev(id(`evt_demo_use_${orderId}_${kind}`), 'usage.recorded', at(ago), {
      orderId: id(orderId),
      kind,
      at: at(ago).toISOString(),
      ...(value === undefined ? {} : { value }),
    });
  return [
    // M21: 12 minutes after purchase, "I bought on impulse".
    order(orders.m21, buyers.buyer, products.course, 9900, 12 * MIN),
    // M22: 2 hours after purchase, 20 % of the videos watched.
    order(orders.m22, buyers.buyer, products.course, 9900, 2 * HOUR),
    usage(orders.m22, 'course.progress', 90 * MIN, 0.2),
    // M23: 3 days after purchase, "the video won't play"; the commission has been paid out.
    order(orders.m23, buyers.buyer, products.course, 9900, 3 * DAY),
    usage(orders.m23, 'course.progress', 3 * DAY - 10 * MIN, 0.01),
    ev(id(`evt_demo_cpaid_${orders.m23}`), 'commission.paid', at(DAY), {
      orderId: id(orders.m23),
      beneficiaryId: buyers.member,
      amountMinor: 990,
      at: at(DAY).toISOString(),
    }),
    // The English-speaking buyer's M21.
    order(orders.m21En, buyers.buyerEn, products.course, 9900, 12 * MIN),
    // Other categories: a copied key, an activated membership, a downloaded template pack.
    order(orders.keyCopied, buyers.buyerEn, products.softwareKey, 19900, 10 * MIN, 'alipay'),
    usage(orders.keyCopied, 'key.revealed', 9 * MIN),
    usage(orders.keyCopied, 'key.copied', 8 * MIN),
    order(orders.membershipActive, buyers.buyer, products.membership, 3000, 5 * HOUR, 'wechat'),
    usage(orders.membershipActive, 'membership.activated', 5 * HOUR - 2 * MIN),
    order(orders.templateDownloaded, buyers.buyer, products.template, 2900, 5 * DAY),
    usage(orders.templateDownloaded, 'file.downloaded', 5 * DAY - 5 * MIN),
  ];
}

export function demoShopEvents(now: Date): PlatformEvent[] {
  return [...shopEvents(now), ...scenarioEvents(now)];
}
