// npm run bench:scale — the risk scale test of issue 5. On a database of 1,000,000 orders and 200,000
// buyers (scripts/generate-scale-data.ts, regenerated unless --reuse), measures:
//   1. the risk assessment of one refund request (the RiskService alone: every query it makes);
//   2. POST /v1/refund-requests end to end, on that database and on an empty one, to compare.
import os from 'node:os';
import pg from 'pg';
import { DEFAULT_RISK_THRESHOLDS } from '../src/risk/risk-rules.ts';
import { RiskService } from '../src/risk/risk-service.ts';
import { createLogger } from '../src/logger.ts';
import { createMetrics } from '../src/metrics.ts';
import { openDatabase } from '../src/store/database.ts';
import { generateScaleDatabase } from '../scripts/generate-scale-data.ts';
import { loadRefundRequests } from './e2e.ts';
import { loadRow, PLAN, withThrowawayDatabase } from './run.ts';
import { markdownTable, row, type Row } from './table.ts';

const name = 'rd_scale';
const admin = new URL(process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres');
const scaleUrl = new URL(admin);
scaleUrl.pathname = `/${name}`;

const exists = async () => {
  const c = new pg.Client({ connectionString: admin.toString() });
  await c.connect();
  const { rows } = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
  await c.end();
  return rows.length > 0;
};
if (!process.argv.includes('--reuse') || !(await exists())) await generateScaleDatabase(name);

const rows: Row[] = [];
{
  const db = await openDatabase({ kind: 'postgres', url: scaleUrl.toString(), poolSize: 4 });
  const risk = new RiskService(db.sql, DEFAULT_RISK_THRESHOLDS, createLogger('silent'), createMetrics({ defaultMetrics: false }));
  // Real orders spread over the year, assessed as if asked 12 minutes after each purchase, so every
  // window (24 h of orders, fingerprints and refund requests around it) is as full as it was then.
  const sample = await db.sql.query<{ id: string; buyerId: string; productId: string; deviceId: string; ip: string; paidAtMs: number }>(
    `SELECT id, "buyerId", "productId", "deviceId", ip, (extract(epoch FROM "paidAt") * 1000)::float8 AS "paidAtMs"
     FROM orders TABLESAMPLE SYSTEM (1) LIMIT 2000`,
  );
  const assess = (o: (typeof sample)[number]) =>
    risk.assess({
      buyerId: o.buyerId,
      orderId: o.id,
      productId: o.productId,
      deviceId: o.deviceId,
      ip: o.ip,
      now: new Date(o.paidAtMs + 12 * 60_000),
    });
  for (const o of sample.slice(0, 200)) await assess(o);
  const latencies: number[] = [];
  const started = performance.now();
  for (const o of sample) {
    const t0 = performance.now();
    await assess(o);
    latencies.push(performance.now() - t0);
  }
  rows.push(
    row(
      'risk assessment, 1M orders / 200k buyers',
      { count: sample.length, wallMs: performance.now() - started, latencies },
      null,
      'sequential, one request at a time',
    ),
  );
  const plan = await db.sql.query<{ plan: string }>(
    `EXPLAIN SELECT rr.id FROM orders o JOIN refund_requests rr ON rr."orderId" = o.id WHERE o."productId" = 'p_scale_1' AND o."paidAt" >= now() - interval '1 day'`,
  );
  console.log('ring candidates plan:', plan.map((p) => Object.values(p)[0]).join(' | '));
  await db.close();
}
for (const r of await loadRefundRequests(scaleUrl.toString(), PLAN)) rows.push(loadRow('POST /v1/refund-requests, 1M orders', r));
for (const r of await withThrowawayDatabase((url) => loadRefundRequests(url, PLAN)))
  rows.push(loadRow('POST /v1/refund-requests, empty database', r));

console.log(`\nrefund-desk scale bench on ${os.cpus().length} cores, Node ${process.version}`);
console.log(markdownTable(rows));
process.exit(0);
