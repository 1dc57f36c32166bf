// npm run bench — throughput and latency figures, printed as a table. Never part of the tests.
//
//   1. the policy engine alone (decisions per second, one core);
//   2. POST /v1/refund-requests end to end on PostgreSQL and Redis with the sandbox gateway at zero
//      latency, at concurrency 1 and 32: every request is an M21-type approval that really refunds.
//
// The load runs in a worker thread (its own event loop) against the desk listening on loopback.
import { randomBytes } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import pg from 'pg';
import { loadConfig } from '../src/config.ts';
import { createDesk, type Desk } from '../src/desk.ts';
import { decide, NO_USAGE, PRESETS, type DecisionFacts } from '../src/policy/index.ts';
import { PRODUCT_CATEGORIES, REASON_CODES } from '../src/domain/catalog.ts';

const ADMIN_URL = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const quick = process.argv.includes('--quick');

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

const rows: Array<Record<string, string>> = [];
function report(name: string, count: number, wallMs: number, latencies: number[] | null, note = '') {
  const sorted = latencies ? [...latencies].sort((a, b) => a - b) : null;
  rows.push({
    benchmark: name,
    count: String(count),
    'per second': Math.round((count / wallMs) * 1000).toLocaleString('en-US'),
    'p50 ms': sorted ? percentile(sorted, 50).toFixed(sorted[0]! < 1 ? 4 : 2) : '-',
    'p99 ms': sorted ? percentile(sorted, 99).toFixed(sorted[0]! < 1 ? 4 : 2) : '-',
    note,
  });
}

function benchPolicy(): void {
  const now = Date.parse('2026-11-25T10:00:00Z');
  const facts: DecisionFacts[] = Array.from({ length: 1024 }, (_, i) => ({
    now: new Date(now).toISOString(),
    order: { id: `o_${i}`, amountMinor: 9900, currency: 'CNY', paidAt: new Date(now - ((i * 37) % 3000) * 60_000).toISOString(), paymentMethod: 'wechat', alreadyRefundedMinor: 0 },
    product: { id: 'p', title: 'T', category: PRODUCT_CATEGORIES[i % 4]! },
    reason: { code: REASON_CODES[i % 4]! },
    usage: { ...NO_USAGE, courseProgress: (i % 50) / 100, keyRevealed: i % 3 === 0, keyCopied: i % 11 === 0, fileDownloaded: i % 13 === 0 },
    buyer: { id: 'b', tier: (['new', 'standard', 'trusted', 'restricted'] as const)[i % 4]!, autoRefunds30d: { count: i % 3, amountMinor: (i % 5) * 1000 } },
    risk: { action: 'allow', signals: [] },
    troubleshootingTried: i % 2 === 0,
  }));
  // Warm up, then time batches of 1,024 decisions.
  for (let i = 0; i < 20_000; i += 1) decide(PRESETS[facts[i % 1024]!.product.category], facts[i % 1024]!);
  const batchLatencies: number[] = [];
  const started = performance.now();
  let count = 0;
  while (performance.now() - started < (quick ? 500 : 2_000)) {
    const t0 = performance.now();
    for (const f of facts) decide(PRESETS[f.product.category], f);
    batchLatencies.push((performance.now() - t0) / facts.length);
    count += facts.length;
  }
  report('policy engine: decide()', count, performance.now() - started, batchLatencies, 'per-decision latency from batches of 1,024');
}

async function seedOrders(desk: Desk, count: number): Promise<string[]> {
  const prisma = desk.db.prisma;
  await prisma.merchant.create({ data: { id: 'm_bench', name: 'Bench shop' } });
  await prisma.product.create({ data: { id: 'p_bench', merchantId: 'm_bench', title: '《PPT大师进阶课》', category: 'course', priceMinor: 9900, currency: 'CNY' } });
  const paidAt = new Date(Date.now() - 5 * 60_000);
  const registeredAt = new Date(Date.now() - 90 * 86_400_000);
  const bodies: string[] = [];
  for (let start = 0; start < count; start += 1_000) {
    const n = Math.min(1_000, count - start);
    const ids = Array.from({ length: n }, (_, i) => `${start + i}`);
    await prisma.buyer.createMany({ data: ids.map((i) => ({ id: `b_bench_${i}`, registeredAt })) });
    await prisma.order.createMany({
      data: ids.map((i) => ({
        id: `o_bench_${i}`, buyerId: `b_bench_${i}`, productId: 'p_bench', amountMinor: 9900, currency: 'CNY', paidAt,
        paymentMethod: 'wechat' as const, paymentTransactionId: `wx_bench_${i}`,
      })),
    });
    for (const i of ids) {
      bodies.push(JSON.stringify({ orderId: `o_bench_${i}`, buyerId: `b_bench_${i}`, reasonCode: 'changed_mind', channel: 'shop', idempotencyKey: `bench-key-${i}` }));
    }
  }
  return bodies;
}

function runLoad(url: string, apiKey: string, concurrency: number, bodies: string[]): Promise<{ latencies: number[]; statuses: Record<number, number>; wallMs: number }> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./load-worker.mjs', import.meta.url), {
      workerData: { url, apiKey, concurrency, bodies },
    });
    worker.once('message', resolve);
    worker.once('error', reject);
  });
}

async function benchEndToEnd(): Promise<void> {
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  try {
    await admin.connect();
  } catch (error) {
    rows.push({ benchmark: 'POST /v1/refund-requests', count: '-', 'per second': '-', 'p50 ms': '-', 'p99 ms': '-', note: `skipped: PostgreSQL unreachable (${(error as Error).message})` });
    return;
  }
  const name = `rd_bench_${randomBytes(4).toString('hex')}`;
  await admin.query(`CREATE DATABASE "${name}"`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  const prefix = `rd-bench:${randomBytes(4).toString('hex')}:`;
  const apiKey = 'bench-api-key-0123456789';
  const desk = await createDesk(
    loadConfig({
      NODE_ENV: 'test', LOG_LEVEL: 'silent', PORT: '0', DATABASE_URL: url.toString(), DATABASE_POOL_SIZE: '20',
      REDIS_URL, REDIS_KEY_PREFIX: prefix, PLATFORM_API_KEY: apiKey, PLATFORM_WEBHOOK_SECRET: 'bench-webhook-secret-0123', SANDBOX_PAYMENTS: 'on',
    }),
    { defaultMetrics: false },
  );
  try {
    const plan = quick ? { warm: 100, c1: 200, c32: 1_000 } : { warm: 300, c1: 1_000, c32: 5_000 };
    const bodies = await seedOrders(desk, plan.warm + plan.c1 + plan.c32);
    const base = await desk.listen();
    await runLoad(base, apiKey, 8, bodies.slice(0, plan.warm));
    for (const [concurrency, slice] of [
      [1, bodies.slice(plan.warm, plan.warm + plan.c1)],
      [32, bodies.slice(plan.warm + plan.c1)],
    ] as const) {
      const result = await runLoad(base, apiKey, concurrency, [...slice]);
      const ok = result.statuses[201] ?? 0;
      const refunded = await desk.db.prisma.refund.count({ where: { status: 'succeeded' } });
      report(`POST /v1/refund-requests, concurrency ${concurrency}`, slice.length, result.wallMs, result.latencies, `${ok}/${slice.length} answered 201; ${refunded} refunds succeeded so far`);
    }
  } finally {
    await desk.close();
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
  }
}

benchPolicy();
await benchEndToEnd();
console.log(`\nrefund-desk bench (${quick ? 'quick' : 'full'}) on ${(await import('node:os')).cpus().length} cores, Node ${process.version}`);
console.table(rows);
process.exit(0);
