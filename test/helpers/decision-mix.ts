// A realistic mix of refund requests (issue 17, M30), played through the desk's real API, with what
// the article's policy would do with each one beside what the desk did.
//
// The buyers are ordinary: registered weeks or months ago, a few earlier orders, none refunded,
// each on their own phone and network. A few risky ones are mixed in: four fresh accounts on one
// phone refunding the same course (a gang, M12), one account refunding five orders from one
// device in an hour (velocity, M11), a buyer with more refunds than keeps (restricted, M8), and
// young accounts, one of which comes back for a second refund within days (M8).
//
// `articleVerdict` is the reference, written from the article (MISSION.md M1-M4, M10, M11, M12,
// M22) and the category strategies the product page states, without the desk's code: what the
// article's policy approves, refuses with the appeal offered, sends to a person at once, or
// answers with a troubleshooting guide. The generator is seeded, so a run is reproducible.
import type { Desk } from '../../src/desk.ts';
import { signBody } from '../../src/api/auth.ts';
import type { ProductCategory, ReasonCode } from '../../src/domain/catalog.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

export type Verdict = 'approved' | 'refused' | 'ticket' | 'troubleshoot' | 'person';
/** Verdicts that close a request with no person: approved, refused with the appeal offered, a guide. */
export const NO_PERSON: ReadonlySet<Verdict> = new Set(['approved', 'refused', 'troubleshoot']);

export interface MixUsage {
  progress?: number;
  revealed?: boolean;
  copied?: boolean;
  activated?: boolean;
  login?: boolean;
  downloaded?: boolean;
  membershipActivated?: boolean;
}

export interface MixRequest {
  /** Who asks: an ordinary buyer, or one of the risky patterns. */
  profile: 'ordinary' | 'young' | 'gang' | 'velocity' | 'restricted';
  buyer: string;
  category: ProductCategory;
  amountMinor: number;
  minutesAgo: number;
  reason: ReasonCode;
  method: 'wechat' | 'alipay' | 'card' | 'sandbox';
  usage: MixUsage;
  /** The article's risk patterns (M8 frequent refunds on a young account, M11, M12): a person, or a refusal. */
  pattern: boolean;
}

export interface MixBuyer {
  id: string;
  registeredDaysAgo: number;
  /** Orders paid earlier (days ago), none refunded. */
  earlierOrders: number[];
  /** Orders paid and refunded earlier (days ago): the restricted buyer's history. */
  refundedOrders?: number[];
  device: { id: string; ip: string };
}

export interface Mix {
  buyers: MixBuyer[];
  requests: MixRequest[];
}

/** mulberry32: a small seeded generator, so the mix is the same on every run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Prices the platform's goods commonly carry, in fen. */
const PRICES: Record<ProductCategory, number[]> = {
  course: [990, 4_900, 9_900, 19_900, 39_900, 59_900],
  software_key: [4_900, 9_900, 19_900, 49_900, 89_900],
  membership: [1_500, 3_000, 9_900, 19_900],
  template: [900, 2_900, 4_900, 9_900],
};

export function generateMix(seed = 17, ordinary = 110): Mix {
  const rnd = random(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rnd() * items.length)]!;
  const chance = (p: number) => rnd() < p;
  const between = (lo: number, hi: number) => lo + rnd() * (hi - lo);
  const buyers: MixBuyer[] = [];
  const requests: MixRequest[] = [];
  const buyer = (
    n: string,
    registeredDaysAgo: number,
    earlierOrders: number[],
    extra: { device?: MixBuyer['device']; refundedOrders?: number[] } = {},
  ): string => {
    const id = `b_mix_${n}`;
    buyers.push({
      id,
      registeredDaysAgo,
      earlierOrders,
      device: extra.device ?? { id: `d_${id}`, ip: ipOf(buyers.length) },
      ...(extra.refundedOrders ? { refundedOrders: extra.refundedOrders } : {}),
    });
    return id;
  };
  const method = () => pick(['wechat', 'wechat', 'wechat', 'wechat', 'wechat', 'alipay', 'alipay', 'alipay', 'card', 'sandbox'] as const);

  for (let i = 0; i < ordinary; i += 1) {
    const registeredDaysAgo = Math.round(between(14, 400));
    const earlier = Array.from({ length: 1 + Math.floor(rnd() * 6) }, () => Math.round(between(2, Math.min(registeredDaysAgo, 300))));
    const id = buyer(`o${i}`, registeredDaysAgo, earlier);
    const category = pick([
      'course',
      'course',
      'course',
      'course',
      'software_key',
      'software_key',
      'membership',
      'membership',
      'template',
      'template',
    ] as const);
    // Most refund requests come soon after payment; some after hours, a few after days.
    const when = rnd();
    const minutesAgo = when < 0.35 ? between(1, 14) : when < 0.75 ? between(16, 23.5 * 60) : between(25 * 60, 6 * 24 * 60);
    const window = minutesAgo <= 15 ? 'cooling' : minutesAgo <= 24 * 60 ? 'conditional' : 'expired';
    const usage: MixUsage = {};
    if (category === 'course') {
      const watched = rnd();
      usage.progress =
        window === 'cooling' ? between(0, 0.12) : watched < 0.6 ? between(0, 0.1) : watched < 0.9 ? between(0.11, 0.3) : between(0.31, 0.8);
      usage.downloaded = chance(0.05);
    } else if (category === 'software_key') {
      usage.revealed = chance(window === 'cooling' ? 0.4 : 0.5);
      usage.copied = usage.revealed && chance(0.2);
      usage.activated = window !== 'cooling' && usage.revealed && chance(0.3);
      usage.login = usage.activated && chance(0.5);
    } else if (category === 'membership') {
      usage.membershipActivated = chance(0.5);
    } else {
      usage.downloaded = chance(window === 'cooling' ? 0.25 : 0.4);
    }
    const reason = pick([
      'changed_mind',
      'changed_mind',
      'changed_mind',
      'changed_mind',
      'unsatisfied',
      'unsatisfied',
      'unsatisfied',
      'other',
      'cannot_use',
    ] as const);
    requests.push({
      profile: 'ordinary',
      buyer: id,
      category,
      amountMinor: pick(PRICES[category]),
      minutesAgo,
      reason,
      method: method(),
      usage,
      pattern: false,
    });
  }

  // Young accounts: a first purchase above ¥100 asked back at 5 minutes, one at 3 hours, and one
  // that comes back for a second refund the same week.
  const y1 = buyer('y1', 2, []);
  requests.push({
    profile: 'young',
    buyer: y1,
    category: 'course',
    amountMinor: 19_900,
    minutesAgo: 5,
    reason: 'changed_mind',
    method: 'wechat',
    usage: { progress: 0.02 },
    pattern: false,
  });
  const y2 = buyer('y2', 1, []);
  requests.push({
    profile: 'young',
    buyer: y2,
    category: 'template',
    amountMinor: 4_900,
    minutesAgo: 180,
    reason: 'unsatisfied',
    method: 'alipay',
    usage: {},
    pattern: false,
  });
  const y3 = buyer('y3', 3, []);
  requests.push({
    profile: 'young',
    buyer: y3,
    category: 'course',
    amountMinor: 9_900,
    minutesAgo: 8,
    reason: 'changed_mind',
    method: 'wechat',
    usage: {},
    pattern: false,
  });
  requests.push({
    profile: 'young',
    buyer: y3,
    category: 'course',
    amountMinor: 9_900,
    minutesAgo: 150,
    reason: 'unsatisfied',
    method: 'wechat',
    usage: { progress: 0.05 },
    pattern: true,
  });

  // A gang: four fresh accounts on one phone buy the same course and ask for it back (M12).
  const phone = { id: 'd_mix_gang_phone', ip: '2001:db8:9999::1' };
  for (let g = 0; g < 4; g += 1) {
    const id = buyer(`g${g}`, 4, [], { device: phone });
    requests.push({
      profile: 'gang',
      buyer: id,
      category: 'course',
      amountMinor: 19_900,
      minutesAgo: 10 - g,
      reason: 'changed_mind',
      method: 'wechat',
      usage: {},
      pattern: true,
    });
  }

  // Velocity: one account buys and refunds five goods from one device within the hour (M11).
  const v = buyer('v', 90, [30, 60]);
  for (let k = 0; k < 5; k += 1) {
    const category = (['template', 'course', 'membership', 'template', 'course'] as const)[k]!;
    requests.push({
      profile: 'velocity',
      buyer: v,
      category,
      amountMinor: PRICES[category][1]!,
      minutesAgo: 12 - 2 * k,
      reason: 'changed_mind',
      method: 'wechat',
      usage: {},
      pattern: true,
    });
  }

  // Restricted (M8): three of four earlier orders refunded in the last months, then a request at 5 minutes.
  const r = buyer('r', 200, [100], { refundedOrders: [40, 70, 120] });
  requests.push({
    profile: 'restricted',
    buyer: r,
    category: 'course',
    amountMinor: 9_900,
    minutesAgo: 5,
    reason: 'changed_mind',
    method: 'wechat',
    usage: {},
    pattern: true,
  });
  return { buyers, requests };
}

function ipOf(n: number): string {
  return `2001:db8:${(0x1000 + n).toString(16)}::${(n % 250) + 1}`;
}

/**
 * What the article's policy does with a request: risk patterns go to a person (or are refused,
 * M11, M12; frequent refunds on a young account, M8); a key action closes self-service (M4), and
 * within 24 hours that refusal goes to the human pool as M22's does (more than 10 % watched is more
 * than 10 % watched, whether or not it also passed the 30 % lock); within
 * 15 minutes any reason is refunded (M1: "无论何种理由", so "it doesn't work" too); after that
 * "cannot use" gets help first (M10, M23); within 24 hours the refund needs the usage conditions
 * (M2), else it is refused with a ticket for the human pool (M22); after that refused, with the
 * appeal offered (M3). Conditions and key actions are each category's, as the product page states them.
 */
export function articleVerdict(r: MixRequest): Verdict {
  if (r.pattern) return 'person';
  if (r.reason === 'cannot_use' && r.minutesAgo > 15) return 'troubleshoot';
  const u = r.usage;
  const locked = {
    course: (u.progress ?? 0) > 0.3 || !!u.downloaded,
    software_key: !!u.copied || !!u.activated,
    membership: false,
    template: !!u.downloaded,
  }[r.category];
  if (locked) return r.minutesAgo <= 24 * 60 ? 'ticket' : 'refused';
  if (r.minutesAgo <= 15) return 'approved';
  if (r.minutesAgo > 24 * 60) return 'refused';
  const conditionsHold = {
    course: (u.progress ?? 0) <= 0.1,
    software_key: !u.revealed && !u.activated && !u.login,
    membership: !u.membershipActivated,
    template: !u.downloaded,
  }[r.category];
  return conditionsHold ? 'approved' : 'ticket';
}

export interface DeskAnswer {
  id: string;
  status: string;
  outcome: string | null;
  handoff: { kind: string } | null;
  rules: Array<{ id: string; result: string }>;
}

/** What the desk did, in the same words: a handoff means a person. */
export function deskVerdict(view: DeskAnswer): Verdict {
  if (view.outcome === 'troubleshoot') return 'troubleshoot';
  if (view.outcome === 'review' || view.status === 'in_review') return 'person';
  if (view.outcome === 'rejected') return view.handoff ? 'ticket' : 'refused';
  return view.handoff ? 'person' : 'approved';
}

export interface MixResult {
  request: MixRequest;
  article: Verdict;
  desk: Verdict;
  view: DeskAnswer;
}

export interface MixFigures {
  requests: number;
  deskNoPerson: number;
  articleNoPerson: number;
  articleApproved: number;
  /** Of the requests the article approves, how many the desk approved with no person. */
  articleApprovedDeskApproved: number;
  /** article verdict → desk verdict → count. */
  table: Record<string, Record<string, number>>;
}

export function figures(results: MixResult[]): MixFigures {
  const counted = results;
  const table: MixFigures['table'] = {};
  for (const r of counted) {
    table[r.article] ??= {};
    table[r.article]![r.desk] = (table[r.article]![r.desk] ?? 0) + 1;
  }
  const approved = counted.filter((r) => r.article === 'approved');
  return {
    requests: counted.length,
    deskNoPerson: counted.filter((r) => NO_PERSON.has(r.desk)).length,
    articleNoPerson: counted.filter((r) => NO_PERSON.has(r.article)).length,
    articleApproved: approved.length,
    articleApprovedDeskApproved: approved.filter((r) => r.desk === 'approved').length,
    table,
  };
}

const share = (n: number, of: number) => `${((100 * n) / Math.max(1, of)).toFixed(1)} %`;

export function describeFigures(f: MixFigures): string {
  const lines = [
    `${f.requests} requests`,
    `closed with no person: desk ${f.deskNoPerson} (${share(f.deskNoPerson, f.requests)}), article's policy ${f.articleNoPerson} (${share(f.articleNoPerson, f.requests)})`,
    `approved by the article's policy: ${f.articleApproved}; of these approved by the desk with no person: ${f.articleApprovedDeskApproved} (${share(f.articleApprovedDeskApproved, f.articleApproved)})`,
    'article → desk:',
    ...Object.entries(f.table).map(
      ([article, row]) =>
        `  ${article.padEnd(12)} ${Object.entries(row)
          .map(([desk, n]) => `${desk} ${n}`)
          .join(', ')}`,
    ),
  ];
  return lines.join('\n');
}

/**
 * Plays the mix through the desk: the shop and its buyers as platform events, each request's order
 * (with its usage) just before the buyer asks, in the order the mix lists them.
 */
export async function playMix(desk: Desk, mix: Mix, runId: string): Promise<MixResult[]> {
  const secret = desk.config.platform.webhookSecret;
  const bearer = `Bearer ${desk.config.platform.apiKey}`;
  const now = Date.now();
  const at = (msAgo: number) => new Date(now - msAgo).toISOString();
  let n = 0;
  const post = async (type: string, data: Record<string, unknown>) => {
    const payload = JSON.stringify({ id: `evt_mix_${runId}_${(n += 1)}`, type, occurredAt: new Date().toISOString(), data });
    const r = await desk.server.inject({
      method: 'POST',
      url: '/v1/events',
      headers: { 'content-type': 'application/json', 'x-signature': signBody(payload, secret) },
      payload,
    });
    if (r.statusCode !== 200) throw new Error(`${type} failed: ${r.body}`);
  };
  const merchant = `m_mix_${runId}`;
  const leader = `b_mix_${runId}_leader`;
  const member = `b_mix_${runId}_member`;
  const products: Record<ProductCategory, string> = { course: '', software_key: '', membership: '', template: '' };
  await post('merchant.upserted', { id: merchant, name: 'Mix shop', locale: 'zh' });
  for (const category of Object.keys(products) as ProductCategory[]) {
    products[category] = `p_mix_${runId}_${category}`;
    await post('product.upserted', {
      id: products[category],
      merchantId: merchant,
      title: `Mix ${category}`,
      category,
      priceMinor: 9_900,
      currency: 'CNY',
    });
  }
  await post('buyer.upserted', { id: leader, name: 'Leader', registeredAt: at(500 * DAY) });
  await post('buyer.upserted', { id: member, name: 'Member', registeredAt: at(400 * DAY), uplineId: leader });
  const buyers = new Map(mix.buyers.map((b) => [b.id, { ...b, id: `${b.id}_${runId}` }]));
  let orders = 0;
  const paid = async (buyer: MixBuyer, productId: string, amountMinor: number, msAgo: number, method: string) => {
    const id = `o_mix_${runId}_${(orders += 1)}`;
    await post('order.paid', {
      id,
      buyerId: buyer.id,
      productId,
      amountMinor,
      currency: 'CNY',
      paidAt: at(msAgo),
      payment: { method, transactionId: `tx_${id}` },
      device: buyer.device,
      commissions: [
        { beneficiaryId: member, level: 1, amountMinor: Math.floor(amountMinor / 10) },
        { beneficiaryId: leader, level: 2, amountMinor: Math.floor(amountMinor / 20) },
      ],
    });
    return id;
  };
  // A refund from before this run, as the desk would have stored it (the history tiers are made of).
  const pastRefund = async (buyer: MixBuyer, orderId: string, msAgo: number) => {
    const prisma = desk.db.prisma;
    const createdAt = new Date(now - msAgo);
    const requestId = `rr_mix${runId}${orders}`;
    await prisma.refundRequest.create({
      data: {
        id: requestId,
        orderId,
        productId: products.template,
        buyerId: buyer.id,
        status: 'refunded',
        outcome: 'approved',
        reasonCode: 'changed_mind',
        channel: 'shop',
        createdAt,
        closedAt: createdAt,
      },
    });
    await prisma.refund.create({
      data: {
        id: `rf_mix${runId}${orders}`,
        refundRequestId: requestId,
        orderId,
        amountMinor: 2_900,
        currency: 'CNY',
        paymentMethod: 'wechat',
        transactionId: `tx_${orderId}`,
        status: 'succeeded',
        createdAt,
        settledAt: createdAt,
      },
    });
  };
  for (const b of buyers.values()) {
    await post('buyer.upserted', { id: b.id, name: `Buyer ${b.id}`, registeredAt: at(b.registeredDaysAgo * DAY), uplineId: member });
    for (const daysAgo of b.earlierOrders) await paid(b, products.template, 2_900, daysAgo * DAY, 'wechat');
    for (const daysAgo of b.refundedOrders ?? [])
      await pastRefund(b, await paid(b, products.template, 2_900, daysAgo * DAY, 'wechat'), daysAgo * DAY - HOUR);
  }

  const results: MixResult[] = [];
  for (const request of mix.requests) {
    const b = buyers.get(request.buyer)!;
    const orderId = await paid(b, products[request.category], request.amountMinor, request.minutesAgo * MIN, request.method);
    const u = request.usage;
    const usage = (kind: string, value?: number) =>
      post('usage.recorded', { orderId, kind, at: at((request.minutesAgo * MIN) / 2), ...(value === undefined ? {} : { value }) });
    if (u.progress !== undefined) await usage('course.progress', Math.round(u.progress * 1000) / 1000);
    if (u.revealed) await usage('key.revealed');
    if (u.copied) await usage('key.copied');
    if (u.activated) await usage('key.activated');
    if (u.login) await usage('software.login');
    if (u.downloaded) await usage('file.downloaded');
    if (u.membershipActivated) await usage('membership.activated');
    const response = await desk.server.inject({
      method: 'POST',
      url: '/v1/refund-requests',
      headers: { authorization: bearer, 'content-type': 'application/json' },
      payload: JSON.stringify({ orderId, buyerId: b.id, reasonCode: request.reason, channel: 'shop', device: b.device }),
    });
    if (response.statusCode !== 201) throw new Error(`refund request failed: ${response.statusCode} ${response.body}`);
    const view = response.json() as DeskAnswer;
    results.push({ request, article: articleVerdict(request), desk: deskVerdict(view), view });
  }
  return results;
}
