// Risk assessment of one refund request: gathers the evidence with a few indexed queries (never a
// scan of orders), evaluates the ordered rules, and returns the action with its signals. It decides
// nothing about the refund: the policy engine consumes the action.
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import type { SqlRunner } from '../store/sql-runner.ts';
import { findRing, type AccountTraits } from './links.ts';
import type { RiskAssessor, RiskInput } from './risk-assessor.ts';
import { evaluateRisk, type PastRequest, type RiskAssessment, type RiskEvidence, type RiskThresholds } from './risk-rules.ts';

const HOUR = 3_600_000;
/** How far back an account's devices and IPs count as its traits for linking. */
const TRAIT_HISTORY_MS = 30 * 24 * HOUR;
/** At most this many other buyers of the product are examined for a ring (bounds the work). */
const MAX_RING_CANDIDATES = 200;

export class RiskService implements RiskAssessor {
  constructor(
    private readonly sql: SqlRunner,
    private readonly thresholds: RiskThresholds,
    private readonly log: Logger,
    private readonly metrics: Metrics,
  ) {}

  async assess(input: RiskInput): Promise<RiskAssessment> {
    const evidence = await this.evidence(input);
    const result = evaluateRisk(evidence, this.thresholds);
    for (const signal of result.signals) this.metrics.riskSignals.inc({ kind: signal.kind, action: signal.action });
    if (result.action !== 'allow') {
      this.log.warn({ orderId: input.orderId, buyerId: input.buyerId, action: result.action, signals: result.signals.map((s) => s.kind) }, 'risk signals');
    }
    return result;
  }

  async evidence(input: RiskInput): Promise<RiskEvidence> {
    const since = new Date(input.now.getTime() - this.thresholds.windowHours * HOUR).toISOString();
    const [device, ip, ring] = await Promise.all([
      input.deviceId ? this.requestsFrom('deviceId', input.deviceId, since) : null,
      input.ip ? this.requestsFrom('ip', input.ip, since) : null,
      this.ring(input, since),
    ]);
    return {
      buyerId: input.buyerId,
      orderId: input.orderId,
      productId: input.productId,
      device: input.deviceId ? { id: input.deviceId, earlier: device! } : null,
      ip: input.ip ? { address: input.ip, earlier: ip! } : null,
      ring,
    };
  }

  /**
   * Refund requests in the window made from a device or IP, or on orders bought from it (indexes:
   * fingerprints (column, at), orders (column, paidAt), refund requests (orderId)).
   */
  private requestsFrom(column: 'deviceId' | 'ip', value: string, since: string): Promise<PastRequest[]> {
    return this.sql.query<PastRequest>(
      `SELECT rr.id AS "requestId", rr."orderId", rr."buyerId" FROM refund_requests rr
       WHERE rr.id IN (
         SELECT f."refId" FROM fingerprints f
         WHERE f."${column}" = $1::text AND f.at >= ($2::timestamptz AT TIME ZONE 'UTC') AND f.source = 'refund_request'
         UNION
         SELECT r.id FROM orders o JOIN refund_requests r ON r."orderId" = o.id
         WHERE o."${column}" = $1::text AND o."paidAt" >= ($2::timestamptz AT TIME ZONE 'UTC') AND r."createdAt" >= ($2::timestamptz AT TIME ZONE 'UTC'))
       ORDER BY rr."createdAt" DESC LIMIT 100`,
      [value, since],
      `rd_risk_requests_from_${column}`,
    );
  }

  private async ring(input: RiskInput, since: string): Promise<RiskEvidence['ring']> {
    // Who else bought this product in the window and asked for a refund of it (orders index on
    // (productId, paidAt), refund requests index on orderId).
    const others = await this.sql.query<PastRequest>(
      `SELECT rr.id AS "requestId", rr."orderId", rr."buyerId"
       FROM orders o JOIN refund_requests rr ON rr."orderId" = o.id
       WHERE o."productId" = $1::text AND o."paidAt" >= ($2::timestamptz AT TIME ZONE 'UTC')
         AND rr."createdAt" >= ($2::timestamptz AT TIME ZONE 'UTC') AND rr."buyerId" <> $3::text
       ORDER BY rr."createdAt" DESC LIMIT ${MAX_RING_CANDIDATES}`,
      [input.productId, since, input.buyerId],
      'rd_risk_ring_candidates',
    );
    if (others.length + 1 < this.thresholds.ringAccounts) return null;
    const buyers = [input.buyerId, ...new Set(others.map((o) => o.buyerId))];
    const traits = await this.traits(buyers, new Date(input.now.getTime() - TRAIT_HISTORY_MS).toISOString());
    const requester = traits.get(input.buyerId)!;
    // The request being assessed is a sighting too (its device and IP may be new).
    if (input.deviceId && !requester.devices.includes(input.deviceId)) requester.devices.push(input.deviceId);
    if (input.ip) requester.ips.push({ ip: input.ip, atMs: input.now.getTime() });
    const ring = findRing(requester, buyers.slice(1).map((b) => traits.get(b)!), {
      ipWindowMs: this.thresholds.ipLinkWindowMinutes * 60_000,
      minAccounts: this.thresholds.ringAccounts,
    });
    if (!ring) return null;
    return { ...ring, requests: others.filter((o) => ring.accounts.includes(o.buyerId)) };
  }

  /** Devices, IPs (with times), paying accounts, phone and upline of each buyer. */
  private async traits(buyerIds: string[], since: string): Promise<Map<string, AccountTraits>> {
    const rows = await this.sql.query<{ buyerId: string; uplineId: string | null; phone: string | null; payers: string[] | null; devices: string[] | null; ips: Array<{ ip: string; atMs: number }> | null }>(
      `SELECT b.id AS "buyerId", b."uplineId", b.phone,
              (SELECT array_agg(DISTINCT o."payerAccount") FROM orders o WHERE o."buyerId" = b.id AND o."payerAccount" IS NOT NULL) AS payers,
              (SELECT array_agg(DISTINCT f."deviceId") FROM fingerprints f
                 WHERE f."buyerId" = b.id AND f.at >= ($2::timestamptz AT TIME ZONE 'UTC') AND f."deviceId" IS NOT NULL) AS devices,
              (SELECT json_agg(json_build_object('ip', f.ip, 'atMs', (extract(epoch FROM f.at) * 1000)::float8)) FROM fingerprints f
                 WHERE f."buyerId" = b.id AND f.at >= ($2::timestamptz AT TIME ZONE 'UTC') AND f.ip IS NOT NULL) AS ips
       FROM buyers b WHERE b.id = ANY($1::text[])`,
      [buyerIds, since],
      'rd_risk_traits',
    );
    return new Map(
      rows.map((r) => [
        r.buyerId,
        { buyerId: r.buyerId, uplineId: r.uplineId, phone: r.phone, payerAccounts: r.payers ?? [], devices: r.devices ?? [], ips: r.ips ?? [] },
      ]),
    );
  }
}
