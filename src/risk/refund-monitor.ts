// Live monitoring (M17): refund requests per product and per merchant in the last hour against the
// trailing 24 hours. A spike (at least `spikeFactor` times the hourly baseline, and at least
// `spikeMinRequests` requests) raises an alert: a stored risk signal (one per subject and hour, so
// every instance may run the scan), a warning in the log and a metric. Slack posting of alerts is
// the agent desk's (SLACK_RISK_CHANNEL).
import { newId } from '../ids.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import type { SqlRunner } from '../store/index.ts';
import type { RiskThresholds } from './risk-rules.ts';

const HOUR = 3_600_000;

export interface SpikeAlert {
  kind: 'spike.product' | 'spike.merchant';
  subjectId: string;
  merchantId: string;
  recent: number;
  baselinePerHour: number;
  ordersRecent: number;
  refundRate: number | null;
}

interface Row {
  productId: string;
  merchantId: string;
  recent: number;
  trailing: number;
  ordersRecent: number;
}

/** Pure: which subjects spike, given per-product counts. */
export function findSpikes(rows: readonly Row[], t: Pick<RiskThresholds, 'spikeFactor' | 'spikeMinRequests'>): SpikeAlert[] {
  const byMerchant = new Map<string, Row>();
  for (const r of rows) {
    const m = byMerchant.get(r.merchantId) ?? {
      productId: r.merchantId,
      merchantId: r.merchantId,
      recent: 0,
      trailing: 0,
      ordersRecent: 0,
    };
    m.recent += r.recent;
    m.trailing += r.trailing;
    m.ordersRecent += r.ordersRecent;
    byMerchant.set(r.merchantId, m);
  }
  const spikes: SpikeAlert[] = [];
  const check = (kind: SpikeAlert['kind'], r: Row, subjectId: string) => {
    const baselinePerHour = r.trailing / 24;
    if (r.recent >= t.spikeMinRequests && r.recent >= t.spikeFactor * baselinePerHour) {
      spikes.push({
        kind,
        subjectId,
        merchantId: r.merchantId,
        recent: r.recent,
        baselinePerHour: Math.round(baselinePerHour * 100) / 100,
        ordersRecent: r.ordersRecent,
        refundRate: r.ordersRecent > 0 ? Math.round((r.recent / r.ordersRecent) * 1000) / 1000 : null,
      });
    }
  };
  for (const r of rows) check('spike.product', r, r.productId);
  for (const m of byMerchant.values()) check('spike.merchant', m, m.merchantId);
  return spikes;
}

export class RefundMonitor {
  constructor(
    private readonly sql: SqlRunner,
    private readonly thresholds: RiskThresholds,
    private readonly metrics: Metrics,
    private readonly log: Logger,
  ) {}

  /** Scans the last hour; returns the alerts raised now (not those already raised this hour). */
  async scan(now = new Date()): Promise<SpikeAlert[]> {
    const recentSince = new Date(now.getTime() - HOUR).toISOString();
    const rows = await this.sql.query<Row>(
      `SELECT rr."productId", p."merchantId",
              count(*) FILTER (WHERE rr."createdAt" >= ($2::timestamptz AT TIME ZONE 'UTC'))::int AS recent,
              count(*) FILTER (WHERE rr."createdAt" < ($2::timestamptz AT TIME ZONE 'UTC'))::int AS trailing,
              (SELECT count(*) FROM orders x WHERE x."productId" = rr."productId" AND x."paidAt" >= ($2::timestamptz AT TIME ZONE 'UTC'))::int AS "ordersRecent"
       FROM refund_requests rr JOIN products p ON p.id = rr."productId"
       WHERE rr."createdAt" >= ($1::timestamptz AT TIME ZONE 'UTC')
       GROUP BY rr."productId", p."merchantId"`,
      [new Date(now.getTime() - 25 * HOUR).toISOString(), recentSince],
      'rd_risk_monitor',
    );
    const raised: SpikeAlert[] = [];
    const hour = Math.floor(now.getTime() / HOUR);
    for (const spike of findSpikes(rows, this.thresholds)) {
      const inserted = await this.sql.query(
        `INSERT INTO risk_signals (id, kind, "subjectType", "subjectId", action, evidence, "dedupeKey", "createdAt")
         VALUES ($1::text, $2::text, $3::text, $4::text, 'review', $5::jsonb, $6::text, ($7::timestamptz AT TIME ZONE 'UTC'))
         ON CONFLICT ("dedupeKey") DO NOTHING RETURNING id`,
        [
          newId('rs'),
          spike.kind,
          spike.kind === 'spike.product' ? 'product' : 'merchant',
          spike.subjectId,
          JSON.stringify({ ...spike, window: '1 h vs trailing 24 h', factor: this.thresholds.spikeFactor }),
          `${spike.kind}:${spike.subjectId}:${hour}`,
          now.toISOString(),
        ],
      );
      if (inserted.length === 0) continue;
      raised.push(spike);
      this.metrics.riskAlerts.inc({ kind: spike.kind });
      this.log.warn(
        { alert: spike },
        `refund spike: ${spike.recent} requests in the last hour for ${spike.kind === 'spike.product' ? 'product' : 'merchant'} ${spike.subjectId}`,
      );
    }
    return raised;
  }
}
