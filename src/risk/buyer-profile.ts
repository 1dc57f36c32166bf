// Buyer profile and trust tier (M8). Tiers, checked in this order:
//   restricted  3+ refunds in 365 days making up more than half of their orders
//   new         account younger than 7 days, or fewer than 2 orders in 365 days
//   trusted     account 180+ days old, 5+ orders in 365 days, refund rate at most 10 %
//   standard    everyone else
// The tier sets the automatic-refund allowance the policy applies (src/policy/presets.ts). All
// queries go through indexes on (buyerId, paidAt) and (buyerId, createdAt): never a scan of orders.
import type { TrustTier } from '../policy/policy-schema.ts';
import type { PrismaClient } from '../store/database.ts';

const DAY = 86_400_000;

export interface BuyerProfile {
  buyerId: string;
  accountAgeDays: number;
  orders365d: number;
  refunds30d: { count: number; amountMinor: number };
  refunds365d: { count: number; amountMinor: number };
  refundRate365d: number;
  tier: TrustTier;
}

export const TIER_THRESHOLDS = {
  restricted: { minRefunds365d: 3, refundRateAbove: 0.5 },
  new: { accountAgeDaysBelow: 7, orders365dBelow: 2 },
  trusted: { accountAgeDaysAtLeast: 180, orders365dAtLeast: 5, refundRateAtMost: 0.1 },
} as const;

export function tierOf(p: Omit<BuyerProfile, 'tier' | 'buyerId'>): TrustTier {
  const t = TIER_THRESHOLDS;
  if (p.refunds365d.count >= t.restricted.minRefunds365d && p.refundRate365d > t.restricted.refundRateAbove) return 'restricted';
  if (p.accountAgeDays < t.new.accountAgeDaysBelow || p.orders365d < t.new.orders365dBelow) return 'new';
  if (p.accountAgeDays >= t.trusted.accountAgeDaysAtLeast && p.orders365d >= t.trusted.orders365dAtLeast && p.refundRate365d <= t.trusted.refundRateAtMost) {
    return 'trusted';
  }
  return 'standard';
}

/** Refunds count when they succeeded or are on their way (pending); failed ones returned nothing. */
async function refundsSince(prisma: PrismaClient, buyerId: string, since: Date) {
  const rows = await prisma.$queryRaw<Array<{ count: bigint; amount: bigint | null }>>`
    SELECT count(*) AS count, sum(r."amountMinor") AS amount
    FROM refund_requests rr JOIN refunds r ON r."refundRequestId" = rr.id
    WHERE rr."buyerId" = ${buyerId} AND rr."createdAt" >= ${since} AND r.status IN ('pending', 'succeeded')`;
  return { count: Number(rows[0]?.count ?? 0), amountMinor: Number(rows[0]?.amount ?? 0) };
}

export async function buyerProfile(prisma: PrismaClient, buyerId: string, now: Date): Promise<BuyerProfile> {
  const yearAgo = new Date(now.getTime() - 365 * DAY);
  const [buyer, orders365d, refunds30d, refunds365d] = await Promise.all([
    prisma.buyer.findUnique({ where: { id: buyerId }, select: { registeredAt: true } }),
    prisma.order.count({ where: { buyerId, paidAt: { gte: yearAgo } } }),
    refundsSince(prisma, buyerId, new Date(now.getTime() - 30 * DAY)),
    refundsSince(prisma, buyerId, yearAgo),
  ]);
  const accountAgeDays = buyer ? Math.max(0, Math.floor((now.getTime() - buyer.registeredAt.getTime()) / DAY)) : 0;
  const refundRate365d = orders365d === 0 ? 0 : refunds365d.count / orders365d;
  const base = { accountAgeDays, orders365d, refunds30d, refunds365d, refundRate365d };
  return { buyerId, ...base, tier: tierOf(base) };
}
