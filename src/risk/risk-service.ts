// Risk assessment of one refund request: gathers the evidence with a few indexed queries (never a
// scan of orders), evaluates the ordered rules, and returns the action with its signals. It decides
// nothing about the refund: the policy engine consumes the action.
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import type { SqlRunner } from '../store/index.ts';
import { linkOf, ringFromLinks, type Link, type SharedTraits } from './links.ts';
import type { RiskAssessor, RiskInput } from './risk-assessor.ts';
import { evaluateRisk, type PastRequest, type RiskAssessment, type RiskEvidence, type RiskThresholds } from './risk-rules.ts';

const HOUR = 3_600_000;
/** How far back an account's devices and IPs count as its traits for linking. */
const TRAIT_HISTORY_MS = 30 * 24 * HOUR;
/** At most this many other refund requests of the product are examined for a ring (bounds the work). */
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
      this.log.warn(
        { orderId: input.orderId, buyerId: input.buyerId, action: result.action, signals: result.signals.map((s) => s.kind) },
        'risk signals',
      );
    }
    return result;
  }

  async evidence(input: RiskInput): Promise<RiskEvidence> {
    // Windows end at `now`: the same input gives the same evidence, and history after it never counts.
    const since = new Date(input.now.getTime() - this.thresholds.windowHours * HOUR).toISOString();
    const until = input.now.toISOString();
    const [device, ip, ring] = await Promise.all([
      input.deviceId ? this.requestsFrom('deviceId', input.deviceId, since, until) : null,
      input.ip ? this.requestsFrom('ip', input.ip, since, until) : null,
      this.ring(input, since, until),
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
  private requestsFrom(column: 'deviceId' | 'ip', value: string, since: string, until: string): Promise<PastRequest[]> {
    return this.sql.query<PastRequest>(
      `SELECT rr.id AS "requestId", rr."orderId", rr."buyerId" FROM refund_requests rr
       WHERE rr.id IN (
         SELECT f."refId" FROM fingerprints f
         WHERE f."${column}" = $1::text AND f.at BETWEEN ($2::timestamptz AT TIME ZONE 'UTC') AND ($3::timestamptz AT TIME ZONE 'UTC')
           AND f.source = 'refund_request'
         UNION
         SELECT r.id FROM orders o JOIN refund_requests r ON r."orderId" = o.id
         WHERE o."${column}" = $1::text AND o."paidAt" BETWEEN ($2::timestamptz AT TIME ZONE 'UTC') AND ($3::timestamptz AT TIME ZONE 'UTC')
           AND r."createdAt" BETWEEN ($2::timestamptz AT TIME ZONE 'UTC') AND ($3::timestamptz AT TIME ZONE 'UTC'))
       ORDER BY rr."createdAt" DESC LIMIT 100`,
      [value, since, until],
      `rd_risk_requests_from_${column}`,
    );
  }

  private async ring(input: RiskInput, since: string, until: string): Promise<RiskEvidence['ring']> {
    // A ring holds the requester and someone linked to them. Most buyers share nothing with anyone,
    // so their neighbours (accounts sharing a device, an IP, a paying account or a phone; a few
    // index probes from the requester's own traits) settle most requests at once.
    const traitsSince = new Date(input.now.getTime() - TRAIT_HISTORY_MS).toISOString();
    const neighbours = new Set(await this.neighbours(input, traitsSince));
    if (neighbours.size === 0) return null;
    // Who else bought this product in the window and asked for a refund of it: the most recent
    // requests of the product (index on (productId, createdAt)), whose orders were paid in the window.
    const others = await this.sql.query<PastRequest>(
      `SELECT rr.id AS "requestId", rr."orderId", rr."buyerId"
       FROM refund_requests rr JOIN orders o ON o.id = rr."orderId"
       WHERE rr."productId" = $1::text AND rr."createdAt" BETWEEN ($2::timestamptz AT TIME ZONE 'UTC') AND ($4::timestamptz AT TIME ZONE 'UTC')
         AND rr."buyerId" <> $3::text AND o."paidAt" BETWEEN ($2::timestamptz AT TIME ZONE 'UTC') AND ($4::timestamptz AT TIME ZONE 'UTC')
       ORDER BY rr."createdAt" DESC LIMIT ${MAX_RING_CANDIDATES}`,
      [input.productId, since, input.buyerId, until],
      'rd_risk_ring_candidates',
    );
    const buyers = [input.buyerId, ...new Set(others.map((o) => o.buyerId))];
    if (buyers.length < this.thresholds.ringAccounts || !buyers.some((b) => neighbours.has(b))) return null;
    const links = await this.linksAmong(buyers, input, traitsSince);
    const ring = ringFromLinks(input.buyerId, links, this.thresholds.ringAccounts);
    if (!ring) return null;
    return { ...ring, requests: others.filter((o) => ring.accounts.includes(o.buyerId)) };
  }

  /** Accounts sharing a device, an IP, a paying account or a phone with the requester (bounded). */
  private async neighbours(input: RiskInput, since: string): Promise<string[]> {
    const rows = await this.sql.query<{ buyerId: string }>(
      `WITH me AS (
         SELECT f."deviceId", f.ip FROM fingerprints f
         WHERE f."buyerId" = $1::text AND f.at BETWEEN ($2::timestamptz AT TIME ZONE 'UTC') AND ($3::timestamptz AT TIME ZONE 'UTC')
         UNION SELECT $4::text, $5::text)
       SELECT f."buyerId" FROM me JOIN fingerprints f ON f."deviceId" = me."deviceId"
         WHERE f.at BETWEEN ($2::timestamptz AT TIME ZONE 'UTC') AND ($3::timestamptz AT TIME ZONE 'UTC') AND f."buyerId" <> $1::text
       UNION
       SELECT f."buyerId" FROM me JOIN fingerprints f ON f.ip = me.ip
         WHERE f.at BETWEEN ($2::timestamptz AT TIME ZONE 'UTC') AND ($3::timestamptz AT TIME ZONE 'UTC') AND f."buyerId" <> $1::text
       UNION
       SELECT theirs."buyerId" FROM orders mine JOIN orders theirs ON theirs."payerAccount" = mine."payerAccount"
         WHERE mine."buyerId" = $1::text AND theirs."buyerId" <> $1::text
       UNION
       SELECT theirs.id FROM buyers mine JOIN buyers theirs ON theirs.phone = mine.phone
         WHERE mine.id = $1::text AND theirs.id <> $1::text
       LIMIT 1000`,
      [input.buyerId, since, input.now.toISOString(), input.deviceId, input.ip],
      'rd_risk_neighbours',
    );
    return rows.map((r) => r.buyerId);
  }

  /**
   * The links among a set of accounts, found by the database as pairs that share something (indexed
   * self-joins: fingerprints by buyer then by device or IP, orders by buyer then by payer account,
   * buyers by phone), so the work grows with what is shared, not with the square of the set.
   */
  private async linksAmong(buyers: string[], input: RiskInput, since: string): Promise<Link[]> {
    const windowSeconds = this.thresholds.ipLinkWindowMinutes * 60;
    const [pairs, uplines] = await Promise.all([
      this.sql.query<{ a: string; b: string; kind: 'device' | 'ip' | 'payer' | 'phone'; value: string }>(
        `WITH fp AS (
           SELECT f."buyerId", f."deviceId", f.ip, f.at FROM fingerprints f
           WHERE f."buyerId" = ANY($1::text[]) AND f.at BETWEEN ($2::timestamptz AT TIME ZONE 'UTC') AND ($6::timestamptz AT TIME ZONE 'UTC')
           UNION ALL
           -- The request being assessed is a sighting too (its device and IP may be new).
           SELECT $3::text, $4::text, $5::text, ($6::timestamptz AT TIME ZONE 'UTC'))
         SELECT a."buyerId" AS a, b."buyerId" AS b, 'device' AS kind, a."deviceId" AS value
           FROM fp a JOIN fp b ON a."deviceId" = b."deviceId" AND a."buyerId" < b."buyerId" GROUP BY 1, 2, 4
         UNION ALL
         SELECT a."buyerId", b."buyerId", 'ip', a.ip
           FROM fp a JOIN fp b ON a.ip = b.ip AND a."buyerId" < b."buyerId" AND abs(extract(epoch FROM a.at - b.at)) <= $7::int
           GROUP BY 1, 2, 4
         UNION ALL
         SELECT a."buyerId", b."buyerId", 'payer', a."payerAccount"
           FROM orders a JOIN orders b ON a."payerAccount" = b."payerAccount" AND a."buyerId" < b."buyerId"
           WHERE a."buyerId" = ANY($1::text[]) AND b."buyerId" = ANY($1::text[]) GROUP BY 1, 2, 4
         UNION ALL
         SELECT a.id, b.id, 'phone', ''
           FROM buyers a JOIN buyers b ON a.phone = b.phone AND a.id < b.id
           WHERE a.id = ANY($1::text[]) AND b.id = ANY($1::text[])`,
        [buyers, since, input.buyerId, input.deviceId, input.ip, input.now.toISOString(), windowSeconds],
        'rd_risk_links',
      ),
      this.sql.query<{ id: string; uplineId: string | null }>(
        `SELECT id, "uplineId" FROM buyers WHERE id = ANY($1::text[])`,
        [buyers],
        'rd_risk_uplines',
      ),
    ]);
    const uplineOf = new Map(uplines.map((u) => [u.id, u.uplineId]));
    const shared = new Map<string, SharedTraits & { a: string; b: string }>();
    for (const p of pairs) {
      const key = `${p.a}\u0000${p.b}`;
      const upline = uplineOf.get(p.a) ?? null;
      const s = shared.get(key) ?? {
        a: p.a,
        b: p.b,
        payers: [],
        phone: false,
        devices: [],
        closeIps: [],
        upline: upline && upline === uplineOf.get(p.b) ? upline : null,
      };
      if (p.kind === 'device') s.devices.push(p.value);
      else if (p.kind === 'ip') s.closeIps.push(p.value);
      else if (p.kind === 'payer') s.payers.push(p.value);
      else s.phone = true;
      shared.set(key, s);
    }
    const ipWindowMs = windowSeconds * 1000;
    return [...shared.values()].map((s) => linkOf(s.a, s.b, s, ipWindowMs));
  }
}
