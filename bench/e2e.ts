// End-to-end load on POST /v1/refund-requests, shared by `npm run bench` and `npm run bench:scale`:
// a desk on the given database (and a throwaway Redis prefix), fresh refundable orders for buyers of
// their own, and the load from a worker thread at each concurrency. `afterRun` is called after each
// measured run while the desk is still up and idle: the bench runs its pgbench anchor there.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { startDeskProcess } from '../test/helpers/cluster.ts';
import { loadConfig } from '../src/config.ts';
import { createDesk, type Desk } from '../src/desk.ts';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface LoadResult {
  concurrency: number;
  count: number;
  wallMs: number;
  latencies: number[];
  created: number;
}

/** Orders paid 5 minutes ago, each by a buyer of its own with a device of its own: M21-type approvals. */
async function seedOrders(desk: Desk, count: number, tag: string): Promise<string[]> {
  const prisma = desk.db.prisma;
  await prisma.merchant.upsert({ where: { id: 'm_bench' }, create: { id: 'm_bench', name: 'Bench shop' }, update: {} });
  await prisma.product.upsert({
    where: { id: 'p_bench' },
    create: { id: 'p_bench', merchantId: 'm_bench', title: '《PPT大师进阶课》', category: 'course', priceMinor: 9900, currency: 'CNY' },
    update: {},
  });
  const paidAt = new Date(Date.now() - 5 * 60_000);
  const registeredAt = new Date(Date.now() - 90 * 86_400_000);
  const bodies: string[] = [];
  for (let start = 0; start < count; start += 1_000) {
    const ids = Array.from({ length: Math.min(1_000, count - start) }, (_, i) => `${tag}_${start + i}`);
    await prisma.buyer.createMany({ data: ids.map((i) => ({ id: `b_bench_${i}`, registeredAt })) });
    await prisma.order.createMany({
      data: ids.map((i) => ({
        id: `o_bench_${i}`,
        buyerId: `b_bench_${i}`,
        productId: 'p_bench',
        amountMinor: 9900,
        currency: 'CNY',
        paidAt,
        paymentMethod: 'wechat' as const,
        paymentTransactionId: `wx_bench_${i}`,
        deviceId: `d_bench_${i}`,
      })),
    });
    for (const i of ids) {
      bodies.push(
        JSON.stringify({
          orderId: `o_bench_${i}`,
          buyerId: `b_bench_${i}`,
          reasonCode: 'changed_mind',
          channel: 'shop',
          idempotencyKey: `bench-key-${i}`,
        }),
      );
    }
  }
  return bodies;
}

function runLoad(
  urls: string | string[],
  apiKey: string,
  concurrency: number,
  bodies: string[],
): Promise<{ latencies: number[]; statuses: Record<number, number>; wallMs: number }> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./load-worker.mjs', import.meta.url), {
      workerData: { urls: [urls].flat(), apiKey, concurrency, bodies },
    });
    worker.once('message', resolve);
    worker.once('error', reject);
  });
}

/** Runs the warm-up, then each concurrency with `perConcurrency` requests, on the given database. */
export type AfterRun = (result: LoadResult) => Promise<void>;

export async function loadRefundRequests(
  databaseUrl: string,
  plan: { warm: number; runs: Array<{ concurrency: number; requests: number }> },
  afterRun: AfterRun = async () => undefined,
): Promise<LoadResult[]> {
  const apiKey = 'bench-api-key-0123456789';
  const desk = await createDesk(
    loadConfig({
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      PORT: '0',
      DATABASE_URL: databaseUrl,
      DATABASE_POOL_SIZE: '20',
      REDIS_URL,
      REDIS_KEY_PREFIX: `rd-bench:${randomBytes(4).toString('hex')}:`,
      PLATFORM_API_KEY: apiKey,
      PLATFORM_WEBHOOK_SECRET: 'bench-webhook-secret-0123',
      SANDBOX_PAYMENTS: 'on',
    }),
    { defaultMetrics: false },
  );
  try {
    const total = plan.warm + plan.runs.reduce((a, r) => a + r.requests, 0);
    const bodies = await seedOrders(desk, total, randomBytes(3).toString('hex'));
    const base = await desk.listen();
    // Warm at the highest concurrency measured, so the pool has opened the connections the runs use
    // and each has prepared and planned its statements (PostgreSQL plans a prepared statement afresh
    // for its first five runs on a connection): a run measures the desk warm, not its connections' start.
    await runLoad(base, apiKey, Math.max(8, ...plan.runs.map((r) => r.concurrency)), bodies.slice(0, plan.warm));
    const results: LoadResult[] = [];
    let offset = plan.warm;
    for (const run of plan.runs) {
      const slice = bodies.slice(offset, offset + run.requests);
      offset += run.requests;
      const r = await runLoad(base, apiKey, run.concurrency, slice);
      const result = {
        concurrency: run.concurrency,
        count: slice.length,
        wallMs: r.wallMs,
        latencies: r.latencies,
        created: r.statuses[201] ?? 0,
      };
      results.push(result);
      await afterRun(result);
    }
    return results;
  } finally {
    await desk.close();
  }
}

/**
 * The same load against `instances` desk processes (`refund-desk start`: the compiled desk, as
 * production runs it, built first when dist/ is stale) on one database and Redis, requests spread
 * over them in turn: the one-process and three-process figures of `npm run bench`, measured the same
 * way, so the gain (or loss) from scaling out is measured, not assumed.
 */
export async function loadRefundRequestsAcross(
  databaseUrl: string,
  instances: number,
  plan: { warm: number; concurrency: number; requests: number },
  afterRun: AfterRun = async () => undefined,
): Promise<LoadResult> {
  const apiKey = 'bench-api-key-0123456789';
  const env = {
    // The same 20 PostgreSQL connections in all, however many instances share them.
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    DATABASE_URL: databaseUrl,
    DATABASE_POOL_SIZE: String(Math.ceil(20 / instances)),
    REDIS_URL,
    REDIS_KEY_PREFIX: `rd-bench:${randomBytes(4).toString('hex')}:`,
    PLATFORM_API_KEY: apiKey,
    PLATFORM_WEBHOOK_SECRET: 'bench-webhook-secret-0123',
    CHAT_TOKEN_SECRET: 'bench-chat-token-secret-0123',
    SANDBOX_PAYMENTS: 'on',
  };
  // Seed (and migrate) from this process, then let the instances serve.
  const seeder = await createDesk(loadConfig({ ...env, PORT: '0' }), { defaultMetrics: false });
  let bodies: string[];
  try {
    bodies = await seedOrders(seeder, plan.warm + plan.requests, randomBytes(3).toString('hex'));
  } finally {
    await seeder.close();
  }
  execFileSync(process.execPath, [fileURLToPath(new URL('../scripts/build.mjs', import.meta.url)), '--if-stale'], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rd-bench-'));
  const desks = await Promise.all(
    Array.from({ length: instances }, (_, i) =>
      startDeskProcess(`bench-${i + 1}`, { ...env, DATA_DIR: path.join(dir, 'data') }, path.join(dir, `desk-${i + 1}.log`), 'compiled'),
    ),
  );
  try {
    await Promise.all(desks.map((d) => d.ready()));
    const urls = desks.map((d) => d.url);
    await runLoad(urls, apiKey, 8, bodies.slice(0, plan.warm));
    const r = await runLoad(urls, apiKey, plan.concurrency, bodies.slice(plan.warm));
    const result = {
      concurrency: plan.concurrency,
      count: plan.requests,
      wallMs: r.wallMs,
      latencies: r.latencies,
      created: r.statuses[201] ?? 0,
    };
    await afterRun(result);
    return result;
  } finally {
    await Promise.all(desks.map((d) => d.stop()));
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
