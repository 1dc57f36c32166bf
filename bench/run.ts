// npm run bench — throughput and latency figures, printed as a table. Never part of the tests.
//
//   1. the policy engine alone (decisions per second, one core);
//   2. POST /v1/refund-requests end to end on PostgreSQL and Redis with the sandbox gateway at zero
//      latency, at concurrency 1 and 32: every request is an M21-type approval that really refunds;
//   3. the same at concurrency 32 against one desk process and against three (`refund-desk start`
//      each, requests spread over them in turn), so the gain from scaling out is measured.
//
// The load runs in a worker thread (its own event loop) against the desk listening on loopback.
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import pg from 'pg';
import { PRODUCT_CATEGORIES, REASON_CODES } from '../src/domain/catalog.ts';
import { decide, NO_USAGE, PRESETS, type DecisionFacts } from '../src/policy/index.ts';
import fs from 'node:fs';
import { NluClassifier } from '../src/nlu/classifier.ts';
import { loadRefundRequests, loadRefundRequestsAcross, percentile, type LoadResult } from './e2e.ts';

const ADMIN_URL = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const quick = process.argv.includes('--quick');

export type Row = Record<string, string>;

export function row(name: string, count: number, wallMs: number, latencies: number[] | null, note = ''): Row {
  const sorted = latencies ? [...latencies].sort((a, b) => a - b) : null;
  const digits = sorted && sorted[0]! < 1 ? 4 : 2;
  return {
    benchmark: name,
    count: String(count),
    'per second': Math.round((count / wallMs) * 1000).toLocaleString('en-US'),
    'p50 ms': sorted ? percentile(sorted, 50).toFixed(digits) : '-',
    'p99 ms': sorted ? percentile(sorted, 99).toFixed(digits) : '-',
    note,
  };
}

export const loadRow = (label: string, r: LoadResult): Row =>
  row(`${label}, concurrency ${r.concurrency}`, r.count, r.wallMs, r.latencies, `${r.created}/${r.count} answered 201`);

function benchPolicy(): Row {
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
    refundRoute: { rail: 'sandbox', detail: 'sandbox' },
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
  return row('policy engine: decide()', count, performance.now() - started, batchLatencies, 'per-decision latency from batches of 1,024');
}

/** NLU classification of buyer messages (the held-out set, both languages), one core. */
async function benchNlu(): Promise<Row> {
  const classifier = await NluClassifier.create({ dataDir: null });
  const texts = fs
    .readFileSync(new URL('../test/fixtures/nlu-heldout.jsonl', import.meta.url), 'utf8')
    .trim()
    .split('\n')
    .map((l) => (JSON.parse(l) as { text: string }).text);
  for (const t of texts) await classifier.classify(t);
  const latencies: number[] = [];
  const started = performance.now();
  let i = 0;
  while (performance.now() - started < (quick ? 500 : 2_000)) {
    const t0 = performance.now();
    await classifier.classify(texts[i++ % texts.length]!);
    latencies.push(performance.now() - t0);
  }
  return row('NLU classify()', latencies.length, performance.now() - started, latencies, 'held-out messages, zh and en');
}

/**
 * One dialogue turn that runs no refund (a greeting, a status question, the order list, the policy),
 * on PostgreSQL and Redis with the demo shop: the bot's own cost per message.
 */
async function benchDialogue(databaseUrl: string): Promise<Row> {
  const { loadConfig } = await import('../src/config.ts');
  const { createDesk } = await import('../src/desk.ts');
  const { seedDemoShop } = await import('../src/demo/seed-demo.ts');
  const { REDIS_URL } = await import('./e2e.ts');
  const desk = await createDesk(
    loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', PORT: '0', DATABASE_URL: databaseUrl, REDIS_URL, REDIS_KEY_PREFIX: `rd-bench:${randomBytes(4).toString('hex')}:`, DEMO_SEED: 'off' }),
    { defaultMetrics: false },
  );
  try {
    await seedDemoShop(desk.db.prisma);
    await desk.nlu.get();
    const texts = ['你好', '我的退款到哪了', '我想退款', '退款规则是什么', 'hello', 'where is my refund', 'what is your refund policy'];
    const latencies: number[] = [];
    const started = performance.now();
    let n = 0;
    while (performance.now() - started < (quick ? 1_000 : 3_000)) {
      const t0 = performance.now();
      await desk.dialogue.handle({ channel: 'widget', chatId: `bench_${n % 50}`, deliveryId: String(n), buyerId: 'b_demo_buyer', text: texts[n % texts.length]! });
      latencies.push(performance.now() - t0);
      n += 1;
    }
    return row('dialogue turn (no refund)', n, performance.now() - started, latencies, 'NLU, state, replies, stored messages');
  } finally {
    await desk.close();
  }
}

/** A throwaway database on the local PostgreSQL for the duration of `fn`. */
export async function withThrowawayDatabase<T>(fn: (url: string) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  const name = `rd_bench_${randomBytes(4).toString('hex')}`;
  await admin.query(`CREATE DATABASE "${name}"`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  try {
    return await fn(url.toString());
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
  }
}

export const PLAN = quick
  ? { warm: 100, runs: [{ concurrency: 1, requests: 200 }, { concurrency: 32, requests: 1_000 }] }
  : { warm: 300, runs: [{ concurrency: 1, requests: 1_000 }, { concurrency: 32, requests: 5_000 }] };

if (import.meta.url === `file://${process.argv[1]}`) {
  const rows: Row[] = [benchPolicy(), await benchNlu()];
  try {
    rows.push(await withThrowawayDatabase((url) => benchDialogue(url)));
    const results = await withThrowawayDatabase((url) => loadRefundRequests(url, PLAN));
    rows.push(...results.map((r) => loadRow('POST /v1/refund-requests', r)));
    const across = { warm: PLAN.warm, concurrency: 32, requests: PLAN.runs.at(-1)!.requests };
    for (const instances of [1, 3]) {
      const r = await withThrowawayDatabase((url) => loadRefundRequestsAcross(url, instances, across));
      rows.push(loadRow(`POST /v1/refund-requests, ${instances} desk process${instances > 1 ? 'es' : ''}`, r));
    }
  } catch (error) {
    rows.push(row('POST /v1/refund-requests', 0, 1, null, `skipped: ${(error as Error).message}`));
  }
  console.log(`\nrefund-desk bench (${quick ? 'quick' : 'full'}) on ${os.cpus().length} cores, Node ${process.version}`);
  console.table(rows);
  process.exit(0);
}
