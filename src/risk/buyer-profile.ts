// Buyer profile (M8): an account's age and history, read with a few indexed queries, and the trust
// tier they give (the tiers and their thresholds are the policy's: src/policy/trust-tiers.ts). The
// tier sets what the policy does by itself for the buyer (src/policy/presets.ts). All queries go
// through indexes on (buyerId, paidAt) and (buyerId, createdAt): never a scan of orders.
import { tierOf, type TrustTier } from '../policy/index.ts';
import type { SqlRunner } from '../store/index.ts';

const DAY = 86_400_000;

export interface BuyerProfile {
  buyerId: string;
  accountAgeDays: number;
  orders365d: number;
  /** Refunds in 30 days: all of them counted; the amount only of those in `currency` (amounts in two currencies do not add up). */
  refunds30d: { count: number; amountMinor: number; currency: string | null };
  refunds365d: { count: number; amountMinor: number };
  refundRate365d: number;
  /** Appeals to a person in 365 days (handoffs of kind appeal), and how many were resolved. */
  appeals365d: { count: number; resolved: number };
  /** Blocking risk signals on this buyer's requests in the last 30 days. */
  blockSignals30d: number;
  tier: TrustTier;
}

export { TIER_THRESHOLDS, tierOf } from '../policy/index.ts';

interface ProfileRow {
  registeredAtMs: number | null;
  orders365d: number;
  refunds30dCount: number;
  refunds30dAmount: number;
  refunds365dCount: number;
  refunds365dAmount: number;
  appeals365d: number;
  appealsResolved365d: number;
  blockSignals30d: number;
}

/**
 * Refunds count when they succeeded or are on their way (pending); failed ones returned nothing.
 * Amounts are summed in `currency` only (the order being decided), null: in no currency.
 */
export async function buyerProfile(sql: SqlRunner, buyerId: string, now: Date, currency: string | null = null): Promise<BuyerProfile> {
  const yearAgo = new Date(now.getTime() - 365 * DAY);
  const monthAgo = new Date(now.getTime() - 30 * DAY);
  const rows = await sql.query<ProfileRow>(
    `
    WITH refunded AS (
      SELECT rr."createdAt", r."amountMinor", r.currency FROM refund_requests rr JOIN refunds r ON r."refundRequestId" = rr.id
      WHERE rr."buyerId" = $1::text AND rr."createdAt" BETWEEN ($2::timestamptz AT TIME ZONE 'UTC') AND ($4::timestamptz AT TIME ZONE 'UTC')
        AND r.status IN ('pending', 'succeeded'))
    SELECT (SELECT (extract(epoch FROM b."registeredAt") * 1000)::float8 FROM buyers b WHERE b.id = $1::text) AS "registeredAtMs",
           (SELECT count(*) FROM orders o WHERE o."buyerId" = $1::text
              AND o."paidAt" BETWEEN ($2::timestamptz AT TIME ZONE 'UTC') AND ($4::timestamptz AT TIME ZONE 'UTC'))::int AS "orders365d",
           (SELECT count(*) FROM refunded WHERE "createdAt" >= ($3::timestamptz AT TIME ZONE 'UTC'))::int AS "refunds30dCount",
           (SELECT coalesce(sum("amountMinor"), 0) FROM refunded WHERE "createdAt" >= ($3::timestamptz AT TIME ZONE 'UTC') AND currency = $5::text)::int AS "refunds30dAmount",
           (SELECT count(*) FROM refunded)::int AS "refunds365dCount",
           (SELECT coalesce(sum("amountMinor"), 0) FROM refunded)::int AS "refunds365dAmount",
           (SELECT count(*) FROM handoffs h WHERE h."buyerId" = $1::text AND h.kind = 'appeal'
              AND h."createdAt" >= ($2::timestamptz AT TIME ZONE 'UTC'))::int AS "appeals365d",
           (SELECT count(*) FROM handoffs h WHERE h."buyerId" = $1::text AND h.kind = 'appeal' AND h.status = 'resolved'
              AND h."createdAt" >= ($2::timestamptz AT TIME ZONE 'UTC'))::int AS "appealsResolved365d",
           (SELECT count(*) FROM refund_requests rr JOIN risk_signals s ON s."refundRequestId" = rr.id
              WHERE rr."buyerId" = $1::text AND rr."createdAt" BETWEEN ($3::timestamptz AT TIME ZONE 'UTC') AND ($4::timestamptz AT TIME ZONE 'UTC')
                AND s.action = 'block')::int AS "blockSignals30d"`,
    [buyerId, yearAgo.toISOString(), monthAgo.toISOString(), now.toISOString(), currency],
    'rd_buyer_profile',
  );
  const row = rows[0]!;
  const accountAgeDays = row.registeredAtMs === null ? 0 : Math.max(0, Math.floor((now.getTime() - row.registeredAtMs) / DAY));
  const refunds365d = { count: row.refunds365dCount, amountMinor: row.refunds365dAmount };
  const refundRate365d = row.orders365d === 0 ? 0 : refunds365d.count / row.orders365d;
  const base = {
    accountAgeDays,
    orders365d: row.orders365d,
    refunds30d: { count: row.refunds30dCount, amountMinor: row.refunds30dAmount, currency },
    refunds365d,
    refundRate365d,
    appeals365d: { count: row.appeals365d, resolved: row.appealsResolved365d },
    blockSignals30d: row.blockSignals30d,
  };
  return { buyerId, ...base, tier: tierOf(base) };
}
