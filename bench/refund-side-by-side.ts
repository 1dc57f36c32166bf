// npx tsx bench/refund-side-by-side.ts <checkout> <checkout>... (ROUNDS=2, REQUESTS=2000)
//
// The refund path of several checkouts measured in one sitting, taking turns: each checkout's own
// in-process desk (its bench/e2e.ts loadRefundRequests, on a throwaway database) runs
// POST /v1/refund-requests at concurrency 32 after 300 warm requests, and pgbench TPC-B (16 clients,
// this checkout's bench/pgbench.ts, one scratch database for the whole sitting) runs right after for
// as long. Prints a row per run: requests per second, p50, p99, pgbench tps and the ratio.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { scratchPgbench } from './pgbench.ts';

const ADMIN_URL = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const roots = process.argv
  .slice(2)
  .filter((a) => !a.startsWith('--'))
  .map((r) => path.resolve(r));
if (roots.length === 0) throw new Error('name at least one checkout');
const rounds = Number(process.env.ROUNDS ?? 2);
const requests = Number(process.env.REQUESTS ?? 2000);
const pct = (xs: number[], p: number) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
};
const bench = await scratchPgbench(ADMIN_URL);
const results: Array<Record<string, unknown>> = [];
try {
  for (let round = 1; round <= rounds; round++) {
    for (const root of roots) {
      const { loadRefundRequests } = await import(pathToFileURL(path.join(root, 'bench/e2e.ts')).href);
      const { withThrowawayDatabase } = await import(pathToFileURL(path.join(root, 'bench/run.ts')).href);
      await withThrowawayDatabase(async (url: string) => {
        await loadRefundRequests(
          url,
          { warm: 300, runs: [{ concurrency: 32, requests }] },
          async (r: { count: number; wallMs: number; latencies: number[] }) => {
            const p = await bench.run(r.wallMs / 1000);
            const rps = (r.count / r.wallMs) * 1000;
            const row = {
              root,
              round,
              rps: Math.round(rps),
              p50: +pct(r.latencies, 0.5).toFixed(1),
              p99: +pct(r.latencies, 0.99).toFixed(1),
              tps: Math.round(p.tps),
              seconds: p.seconds,
              ratio: +(rps / p.tps).toFixed(3),
              p99p50: +(pct(r.latencies, 0.99) / pct(r.latencies, 0.5)).toFixed(2),
            };
            results.push(row);
            console.log(JSON.stringify(row));
          },
        );
      });
    }
  }
} finally {
  await bench.drop();
}
console.log('| checkout | round | req/s c=32 | p50 ms | p99 ms | p99 ÷ p50 | pgbench tps (same minutes) | ratio |');
console.log('|---|---|---|---|---|---|---|---|');
for (const r of results)
  console.log(`| ${r.root} | ${r.round} | ${r.rps} | ${r.p50} | ${r.p99} | ${r.p99p50} | ${r.tps} (${r.seconds} s) | ${r.ratio} |`);
process.exit(0);
