// Generates a large shop for the risk scale test (issue 5): 200,000 buyers and 1,000,000 orders over a
// year, with devices, IPs, payer accounts, order fingerprints and 50,000 refund requests with their
// refunds. Set-based SQL (generate_series), so it takes seconds, and nothing is committed.
//
//   npx tsx scripts/generate-scale-data.ts [database name]      (default rd_scale)
//
// The database is created on the PostgreSQL of DATABASE_URL (default the local one), migrated,
// filled, and analysed; an existing one of that name is dropped first.
import pg from 'pg';
import { openDatabase } from '../src/store/database.ts';
import { migrate } from '../src/store/migrator.ts';

export const SCALE = { buyers: 200_000, orders: 1_000_000, products: 50, refunds: 50_000 } as const;

export async function generateScaleDatabase(name = 'rd_scale', log: (line: string) => void = console.log): Promise<string> {
  const admin = new URL(process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres');
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await client.query(`CREATE DATABASE "${name}"`);
  await client.end();
  const url = new URL(admin);
  url.pathname = `/${name}`;
  const db = await openDatabase({ kind: 'postgres', url: url.toString(), poolSize: 2 });
  try {
    await migrate(db.sql);
    const step = async (label: string, sql: string) => {
      const started = Date.now();
      await db.sql.exec(sql);
      log(`  ${label} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    };
    log(
      `Generating ${name}: ${SCALE.buyers.toLocaleString()} buyers, ${SCALE.orders.toLocaleString()} orders, ${SCALE.refunds.toLocaleString()} refund requests`,
    );
    await step(
      'merchant and products',
      `
      INSERT INTO merchants (id, name, "updatedAt") VALUES ('m_scale', 'Scale shop', now());
      INSERT INTO products (id, "merchantId", title, category, "priceMinor", currency, "updatedAt")
      SELECT 'p_scale_' || i, 'm_scale', 'Product ' || i, (ARRAY['course','software_key','membership','template'])[1 + i % 4]::"ProductCategory",
             990 * (1 + i % 10), 'CNY', now()
      FROM generate_series(0, ${SCALE.products - 1}) i;`,
    );
    await step(
      'buyers',
      `
      INSERT INTO buyers (id, name, "registeredAt", "uplineId", locale, phone, "updatedAt")
      SELECT 'b_scale_' || i, 'Buyer ' || i, now() - ((i % 1000) || ' days')::interval,
             CASE WHEN i >= 1000 THEN 'b_scale_' || (i % 1000) END,
             CASE WHEN i % 5 = 0 THEN 'en' ELSE 'zh' END,
             CASE WHEN i % 3 = 0 THEN '+86 1' || lpad((i % 150000)::text, 10, '0') END,
             now()
      FROM generate_series(0, ${SCALE.buyers - 1}) i;`,
    );
    await step(
      'orders',
      `
      INSERT INTO orders (id, "buyerId", "productId", "amountMinor", currency, "paidAt", "paymentMethod", "paymentTransactionId", "payerAccount", "deviceId", ip)
      SELECT 'o_scale_' || i, 'b_scale_' || (i % ${SCALE.buyers}), 'p_scale_' || (i % ${SCALE.products}), 990 * (1 + (i % ${SCALE.products}) % 10), 'CNY',
             now() - ((i % 525600) || ' minutes')::interval - interval '1 day',
             (ARRAY['wechat','alipay','card','sandbox'])[1 + i % 4]::"PaymentMethod", 'tx_scale_' || i,
             CASE WHEN i % 7 = 0 THEN 'payer_' || (i % 180000) END,
             'd_scale_' || ((i % ${SCALE.buyers}) % 180000),
             '10.' || (i % 250) || '.' || ((i / 250) % 250) || '.' || ((i / 62500) % 250)
      FROM generate_series(0, ${SCALE.orders - 1}) i;`,
    );
    await step(
      'order fingerprints',
      `
      INSERT INTO fingerprints (id, "buyerId", "deviceId", ip, source, "refId", at)
      SELECT 'fp_scale_' || o.id, o."buyerId", o."deviceId", o.ip, 'order', o.id, o."paidAt" FROM orders o;`,
    );
    await step(
      'refund requests, decisions and refunds',
      `
      INSERT INTO refund_requests (id, "orderId", "productId", "buyerId", status, outcome, "reasonCode", channel, "deviceId", ip, "policyId", "policyVersion", "createdAt", "updatedAt", "closedAt")
      SELECT 'rr_scale_' || o.id, o.id, o."productId", o."buyerId", 'refunded', 'approved', 'changed_mind', 'shop', o."deviceId", o.ip, 'course-default', 1,
             o."paidAt" + interval '10 minutes', o."paidAt" + interval '10 minutes', o."paidAt" + interval '10 minutes'
      FROM orders o WHERE o.id IN (SELECT 'o_scale_' || (i * ${SCALE.orders / SCALE.refunds}) FROM generate_series(0, ${SCALE.refunds - 1}) i);
      INSERT INTO refunds (id, "refundRequestId", "orderId", "amountMinor", currency, "paymentMethod", "transactionId", status, "updatedAt", "settledAt")
      SELECT 'rf_scale_' || rr."orderId", rr.id, rr."orderId", o."amountMinor", 'CNY', o."paymentMethod", o."paymentTransactionId", 'succeeded', rr."createdAt", rr."createdAt"
      FROM refund_requests rr JOIN orders o ON o.id = rr."orderId";
      INSERT INTO fingerprints (id, "buyerId", "deviceId", ip, source, "refId", at)
      SELECT 'fp_scale_' || rr.id, rr."buyerId", rr."deviceId", rr.ip, 'refund_request', rr.id, rr."createdAt" FROM refund_requests rr;`,
    );
    await step('analyse', 'ANALYZE;');
  } finally {
    await db.close();
  }
  return url.toString();
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const started = Date.now();
  const url = await generateScaleDatabase(process.argv[2] ?? 'rd_scale');
  console.log(`Done in ${((Date.now() - started) / 1000).toFixed(0)} s: ${url}`);
}
