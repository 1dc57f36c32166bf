// Why a merchant's goods are refunded (M9, M17, M27, M30), for one period and the one before it: the
// figures behind the digests and GET /v1/merchants/{id}/report. `loadPeriod` reads the period's orders
// and refund requests; `figuresOf` is pure, so the figures are tested against hand-computed fixtures.
import type { PrismaClient } from '../store/index.ts';
import { satisfactionOf, type PeriodRating, type SatisfactionFigures } from './satisfaction-figures.ts';
import { findThemes, type Theme } from './themes.ts';
import { isClosed } from '../refunds/index.ts';

const MINUTE = 60_000;

export interface PeriodData {
  orders: Array<{ id: string; productId: string; amountMinor: number }>;
  products: Array<{ id: string; title: string }>;
  requests: Array<{
    id: string;
    productId: string;
    status: string;
    outcome: string | null;
    reasonCode: string | null;
    reasonText: string | null;
    createdAt: Date;
    paidAt: Date;
    orderAmountMinor: number;
    /** Money that went back for it (succeeded refunds). */
    refundedMinor: number;
    /** The usage the engine saw when it decided (null: no decision facts). */
    usage: { courseProgress?: number | null; [flag: string]: unknown } | null;
    /** A person decided it, worked its handoff, or it waits for one. */
    human: boolean;
    /** The policy version the engine decided it under (issue 21); null or absent: no engine decision. */
    policy?: { id: string; version: number } | null;
  }>;
  /** Satisfaction questions asked in the period (issue 22), answered or not. */
  ratings?: PeriodRating[];
}

export interface Figures {
  orders: number;
  salesMinor: number;
  requests: number;
  refunded: number;
  refundedMinor: number;
  /** Refunded requests per order paid in the period. */
  refundRate: number | null;
  byReason: Array<{ reason: string; requests: number; refunded: number; refundedMinor: number }>;
  byProduct: Array<{
    productId: string;
    title: string;
    orders: number;
    requests: number;
    refunded: number;
    refundedMinor: number;
    unsatisfied: number;
    unsatisfiedShare: number | null;
    standsOut: boolean;
  }>;
  themes: Theme[];
  behaviour: {
    /** Minutes from payment to the request: median and 90th percentile. */
    minutesAfterPurchase: { median: number; p90: number } | null;
    within15m: number;
    within24h: number;
    within7d: number;
    later: number;
    /** Median course progress at request time (course requests with a progress on record). */
    courseProgressMedian: number | null;
    /** Requests where some use was on record (watched, downloaded, key revealed, ...). */
    usedBeforeRequest: number;
  };
  troubleshooting: { guided: number; solved: number; escalated: number; avoidedMinor: number };
  /** M30: requests closed in the period, and how many of those no person touched. */
  automation: { closed: number; withoutHuman: number; share: number | null };
  /** Issue 22: buyers' ratings by outcome and by automated vs human handling. */
  satisfaction: SatisfactionFigures;
}

const REASONS = ['changed_mind', 'unsatisfied', 'cannot_use', 'other'] as const;
const USE_FLAGS = ['keyRevealed', 'keyCopied', 'keyActivated', 'fileDownloaded', 'membershipActivated', 'softwareLogin'];

function quantile(sorted: number[], q: number): number {
  // Nearest rank: an actual observed value, so hand-computed fixtures are exact.
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

const ratio = (a: number, b: number) => (b === 0 ? null : Math.round((a / b) * 10_000) / 10_000);

export function figuresOf(data: PeriodData): Figures {
  const { orders, requests } = data;
  const refundedReqs = requests.filter((r) => r.refundedMinor > 0);
  const title = new Map(data.products.map((p) => [p.id, p.title]));

  const byReason = REASONS.map((reason) => {
    const of = requests.filter((r) => (r.reasonCode ?? 'other') === reason);
    return {
      reason,
      requests: of.length,
      refunded: of.filter((r) => r.refundedMinor > 0).length,
      refundedMinor: of.reduce((s, r) => s + r.refundedMinor, 0),
    };
  }).filter((r) => r.requests > 0);

  const productIds = [...new Set([...requests.map((r) => r.productId), ...orders.map((o) => o.productId)])];
  const unsatisfiedOf = (rs: PeriodData['requests']) => rs.filter((r) => r.reasonCode === 'unsatisfied').length;
  const byProduct = productIds
    .map((productId) => {
      const of = requests.filter((r) => r.productId === productId);
      const others = requests.filter((r) => r.productId !== productId);
      const unsatisfied = unsatisfiedOf(of);
      const share = ratio(unsatisfied, of.length);
      const othersShare = ratio(unsatisfiedOf(others), others.length);
      // M9: "unsatisfied" stands out when, over at least 3 requests, it is twice the merchant's
      // other products' share and at least 25 points above it (with no others, there is nothing to stand out from).
      const standsOut = of.length >= 3 && share !== null && othersShare !== null && share >= 2 * othersShare && share - othersShare >= 0.25;
      return {
        productId,
        title: title.get(productId) ?? productId,
        orders: orders.filter((o) => o.productId === productId).length,
        requests: of.length,
        refunded: of.filter((r) => r.refundedMinor > 0).length,
        refundedMinor: of.reduce((s, r) => s + r.refundedMinor, 0),
        unsatisfied,
        unsatisfiedShare: share,
        standsOut,
      };
    })
    .filter((p) => p.requests > 0)
    .sort((a, b) => b.requests - a.requests || a.productId.localeCompare(b.productId));

  const minutes = requests.map((r) => Math.max(0, Math.round((r.createdAt.getTime() - r.paidAt.getTime()) / MINUTE))).sort((a, b) => a - b);
  const progress = requests
    .map((r) => r.usage?.courseProgress)
    .filter((p): p is number => typeof p === 'number')
    .sort((a, b) => a - b);
  const used = requests.filter(
    (r) =>
      r.usage &&
      ((typeof r.usage.courseProgress === 'number' && r.usage.courseProgress > 0) || USE_FLAGS.some((f) => r.usage![f] === true)),
  ).length;

  const guided = requests.filter((r) => r.outcome === 'troubleshoot' || r.status === 'troubleshooting');
  const solved = guided.filter((r) => r.status === 'cancelled');
  const closed = requests.filter((r) => isClosed(r.status));
  return {
    orders: orders.length,
    salesMinor: orders.reduce((s, o) => s + o.amountMinor, 0),
    requests: requests.length,
    refunded: refundedReqs.length,
    refundedMinor: refundedReqs.reduce((s, r) => s + r.refundedMinor, 0),
    refundRate: ratio(refundedReqs.length, orders.length),
    byReason,
    byProduct,
    themes: findThemes(requests.map((r) => r.reasonText ?? '').filter(Boolean)),
    behaviour: {
      minutesAfterPurchase: minutes.length ? { median: quantile(minutes, 0.5), p90: quantile(minutes, 0.9) } : null,
      within15m: minutes.filter((m) => m <= 15).length,
      within24h: minutes.filter((m) => m > 15 && m <= 24 * 60).length,
      within7d: minutes.filter((m) => m > 24 * 60 && m <= 7 * 24 * 60).length,
      later: minutes.filter((m) => m > 7 * 24 * 60).length,
      courseProgressMedian: progress.length ? quantile(progress, 0.5) : null,
      usedBeforeRequest: used,
    },
    troubleshooting: {
      guided: guided.length,
      solved: solved.length,
      escalated: guided.filter((r) => r.human).length,
      avoidedMinor: solved.reduce((s, r) => s + r.orderAmountMinor, 0),
    },
    automation: {
      closed: closed.length,
      withoutHuman: closed.filter((r) => !r.human).length,
      share: ratio(closed.filter((r) => !r.human).length, closed.length),
    },
    satisfaction: satisfactionOf(data.ratings ?? []),
  };
}

/** Reads one merchant's orders paid and refund requests made in [from, to). */
export async function loadPeriod(prisma: PrismaClient, merchantId: string, from: Date, to: Date): Promise<PeriodData> {
  const [orders, products, requests, ratings] = await Promise.all([
    prisma.order.findMany({
      where: { product: { merchantId }, paidAt: { gte: from, lt: to } },
      select: { id: true, productId: true, amountMinor: true },
    }),
    prisma.product.findMany({ where: { merchantId }, select: { id: true, title: true } }),
    prisma.refundRequest.findMany({
      where: { order: { product: { merchantId } }, createdAt: { gte: from, lt: to } },
      orderBy: { createdAt: 'asc' },
      select: {
        id: true,
        productId: true,
        status: true,
        outcome: true,
        reasonCode: true,
        reasonText: true,
        createdAt: true,
        order: { select: { paidAt: true, amountMinor: true } },
        refunds: { where: { status: 'succeeded' }, select: { amountMinor: true } },
        decisions: { orderBy: { createdAt: 'asc' }, select: { actor: true, facts: true, policyId: true, policyVersion: true } },
        handoffs: { select: { assigneeId: true, status: true } },
      },
    }),
    // Asked in the period with a chat to ask in (an unreachable buyer was never asked).
    prisma.satisfactionRating.findMany({
      where: { merchantId, askedAt: { gte: from, lt: to }, status: { in: ['asked', 'rated'] } },
      select: { outcome: true, handledBy: true, score: true },
    }),
  ]);
  return {
    orders,
    products,
    ratings,
    requests: requests.map((r) => ({
      id: r.id,
      productId: r.productId,
      status: r.status,
      outcome: r.outcome,
      reasonCode: r.reasonCode,
      reasonText: r.reasonText,
      createdAt: r.createdAt,
      paidAt: r.order.paidAt,
      orderAmountMinor: r.order.amountMinor,
      refundedMinor: r.refunds.reduce((s, x) => s + x.amountMinor, 0),
      usage: (r.decisions[0]?.facts as { usage?: PeriodData['requests'][number]['usage'] } | null)?.usage ?? null,
      human:
        r.decisions.some((d) => d.actor.startsWith('agent:')) ||
        r.handoffs.some((h) => h.assigneeId !== null || h.status === 'open' || h.status === 'claimed'),
      policy: engineVersion(r.decisions),
    })),
  };
}

/** The version of the engine's latest decision on a request: the one whose rules answered the buyer. */
function engineVersion(
  decisions: Array<{ actor: string; policyId: string; policyVersion: number }>,
): { id: string; version: number } | null {
  const engine = decisions.filter((d) => d.actor === 'policy').at(-1);
  return engine ? { id: engine.policyId, version: engine.policyVersion } : null;
}

/** Requests per policy version that decided them, most first (issue 21: the digest names them). */
export function policiesOf(data: PeriodData): Array<{ id: string; version: number; requests: number }> {
  const tally = new Map<string, { id: string; version: number; requests: number }>();
  for (const r of data.requests) {
    if (!r.policy) continue;
    const key = `${r.policy.id} v${r.policy.version}`;
    const seen = tally.get(key) ?? { ...r.policy, requests: 0 };
    seen.requests += 1;
    tally.set(key, seen);
  }
  return [...tally.values()].sort((a, b) => b.requests - a.requests || a.id.localeCompare(b.id) || a.version - b.version);
}

export interface MerchantReport {
  merchantId: string;
  period: { from: string; to: string };
  previousPeriod: { from: string; to: string };
  figures: Figures;
  previous: Figures;
  /** The policy versions that decided this period's requests. */
  policies?: Array<{ id: string; version: number; requests: number }>;
  /** This period against the one before (same length, just before it). */
  change: { requests: number; refunded: number; refundedMinor: number; refundRate: number | null };
}

export async function merchantReport(prisma: PrismaClient, merchantId: string, from: Date, to: Date): Promise<MerchantReport> {
  const length = to.getTime() - from.getTime();
  const before = new Date(from.getTime() - length);
  const [now, then] = await Promise.all([loadPeriod(prisma, merchantId, from, to), loadPeriod(prisma, merchantId, before, from)]);
  const figures = figuresOf(now);
  const previous = figuresOf(then);
  return {
    merchantId,
    period: { from: from.toISOString(), to: to.toISOString() },
    previousPeriod: { from: before.toISOString(), to: from.toISOString() },
    figures,
    previous,
    policies: policiesOf(now),
    change: {
      requests: figures.requests - previous.requests,
      refunded: figures.refunded - previous.refunded,
      refundedMinor: figures.refundedMinor - previous.refundedMinor,
      refundRate:
        figures.refundRate !== null && previous.refundRate !== null
          ? Math.round((figures.refundRate - previous.refundRate) * 10_000) / 10_000
          : null,
    },
  };
}
