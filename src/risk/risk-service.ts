// Risk assessment of one refund request: gathers the evidence with a few indexed queries (risk-store.ts;
// the first of them usually read inside the request's own context statement), evaluates the ordered
// rules, and returns the action with its signals. It decides nothing about the refund: the policy
// engine consumes the action.
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import type { SqlParams, SqlRunner } from '../store/index.ts';
import { linkOf, ringFromLinks, type Link, type SharedTraits } from './links.ts';
import type { RiskAssessor, RiskInput, SubjectRefs } from './risk-assessor.ts';
import { firstEvidenceSql, readFirstEvidence, ringCandidates, sharedTraits, TRAIT_HISTORY_MS, uplines } from './risk-store.ts';
import { evaluateRisk, type RiskAssessment, type RiskEvidence, type RiskThresholds } from './risk-rules.ts';

const HOUR = 3_600_000;

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

  firstEvidenceSql(p: SqlParams, refs: SubjectRefs, now: Date): string {
    return firstEvidenceSql(p, refs, now, this.thresholds.windowHours);
  }

  async evidence(input: RiskInput): Promise<RiskEvidence> {
    // Windows end at `now`: the same input gives the same evidence, and history after it never counts.
    const since = new Date(input.now.getTime() - this.thresholds.windowHours * HOUR).toISOString();
    const until = input.now.toISOString();
    const first = input.first ?? (await readFirstEvidence(this.sql, input, input.now, this.thresholds.windowHours));
    return {
      buyerId: input.buyerId,
      orderId: input.orderId,
      productId: input.productId,
      device: input.deviceId ? { id: input.deviceId, earlier: first.device } : null,
      ip: input.ip ? { address: input.ip, earlier: first.ip } : null,
      ring: await this.ring(input, first.neighbours, since, until),
    };
  }

  private async ring(input: RiskInput, linked: string[], since: string, until: string): Promise<RiskEvidence['ring']> {
    // A ring holds the requester and someone linked to them. Most buyers share nothing with anyone,
    // so their neighbours (accounts sharing a device, an IP, a paying account or a phone; a few
    // index probes from the requester's own traits) settle most requests at once.
    const neighbours = new Set(linked);
    if (neighbours.size === 0) return null;
    const traitsSince = new Date(input.now.getTime() - TRAIT_HISTORY_MS).toISOString();
    const others = await ringCandidates(this.sql, { productId: input.productId, buyerId: input.buyerId, since, until });
    const buyers = [input.buyerId, ...new Set(others.map((o) => o.buyerId))];
    if (buyers.length < this.thresholds.ringAccounts || !buyers.some((b) => neighbours.has(b))) return null;
    const links = await this.linksAmong(buyers, input, traitsSince);
    const ring = ringFromLinks(input.buyerId, links, this.thresholds.ringAccounts);
    if (!ring) return null;
    return { ...ring, requests: others.filter((o) => ring.accounts.includes(o.buyerId)) };
  }

  /** The links among a set of accounts (risk-store.ts sharedTraits), with their common upline. */
  private async linksAmong(buyers: string[], input: RiskInput, since: string): Promise<Link[]> {
    const windowSeconds = this.thresholds.ipLinkWindowMinutes * 60;
    const [pairs, uplineRows] = await Promise.all([
      sharedTraits(this.sql, {
        buyers,
        since,
        buyerId: input.buyerId,
        deviceId: input.deviceId,
        ip: input.ip,
        now: input.now.toISOString(),
        ipWindowSeconds: windowSeconds,
      }),
      uplines(this.sql, buyers),
    ]);
    const uplineOf = new Map(uplineRows.map((u) => [u.id, u.uplineId]));
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
