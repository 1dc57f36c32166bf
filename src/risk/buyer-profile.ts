// Buyer profile (M8): an account's age and history (read by risk-store.ts), and the trust
// tier they give (the tiers and their thresholds are the policy's: src/policy/trust-tiers.ts). The
// tier sets what the policy does by itself for the buyer (src/policy/presets.ts).
import { tierOf, type TrustTier } from '../policy/index.ts';
import type { SqlRunner } from '../store/index.ts';
import { readProfile, type ProfileRow } from './risk-store.ts';

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

/** The buyer's profile, read on its own (a ticket's context). */
export async function buyerProfile(sql: SqlRunner, buyerId: string, now: Date, currency: string | null = null): Promise<BuyerProfile> {
  return profileOf(await readProfile(sql, buyerId, now, currency), buyerId, now, currency);
}

/**
 * The profile from its stored history (risk-store.ts profileSql, read alone or in a refund request's
 * context). Refunds count when they succeeded or are on their way; amounts only in `currency`.
 */
export function profileOf(row: ProfileRow, buyerId: string, now: Date, currency: string | null): BuyerProfile {
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
