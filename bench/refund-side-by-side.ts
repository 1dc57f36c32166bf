// npx tsx bench/refund-side-by-side.ts <checkout> <checkout>... (ROUNDS=2, REQUESTS=2000, CONCURRENCY=32)
//
// The refund path of several checkouts measured in one sitting, taking turns (A B, B A, ... so a slow
// patch of the shared machine falls on both): each checkout's own in-process desk (its bench/e2e.ts
// loadRefundRequests, on a throwaway database) runs POST /v1/refund-requests at each concurrency of
// CONCURRENCY (comma-separated, e.g. 1,32) after 300 warm requests, and pgbench TPC-B (16 clients,
// this checkout's bench/pgbench.ts, one scratch database for the whole sitting) runs right after each
// for as long. Prints a row per run: requests per second, p50, p99, pgbench tps and the ratio (and
// the run's latencies by eighths, where a warm-up stall shows), then
// each checkout's median ratio per concurrency beside the first checkout's.
//
// A <checkout> other than this one needs its dependencies (`git archive <commit> | tar -x -C <dir>`,
// then node_modules and src/generated linked or copied from here).
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { scratchPgbench } from './pgbench.ts';
import { median, percentile } from './table.ts';

const ADMIN_URL = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const roots = process.argv
  .slice(2)
  .filter((a) => !a.startsWith('--'))
  .map((r) => path.resolve(r));
if (roots.length === 0) throw new Error('name at least one checkout');
const rounds = Number(process.env.ROUNDS ?? 2);
const requests = Number(process.env.REQUESTS ?? 2000);
const concurrencies = (process.env.CONCURRENCY ?? '32').split(',').map(Number);
if (concurrencies.some((c) => !Number.isInteger(c) || c < 1)) throw new Error('CONCURRENCY is a comma-separated list of whole numbers ≥ 1');
const bench = await scratchPgbench(ADMIN_URL);
const results: Array<{
  root: string;
  round: number;
  concurrency: number;
  rps: number;
  p50: number;
  p99: number;
  tps: number;
  seconds: number;
  ratio: number;
}> = [];
try {
  for (let round = 1; round <= rounds; round++) {
    for (const root of round % 2 === 1 ? roots : [...roots].reverse()) {
      const { loadRefundRequests } = await import(pathToFileURL(path.join(root, 'bench/e2e.ts')).href);
      const { withThrowawayDatabase } = await import(pathToFileURL(path.join(root, 'bench/run.ts')).href);
      await withThrowawayDatabase(async (url: string) => {
        await loadRefundRequests(
          url,
          { warm: 300, runs: concurrencies.map((concurrency) => ({ concurrency, requests })) },
          async (r: { concurrency: number; count: number; wallMs: number; latencies: number[] }) => {
            const p = await bench.run(r.wallMs / 1000);
            const sorted = [...r.latencies].sort((a, b) => a - b);
            // The run in eighths, in the order answers came back (p50/p99/max ms each): a stall at the
            // start (connections still planning their statements) shows here, not in the totals.
            const eighth = Math.floor(r.latencies.length / 8);
            const spans = Array.from({ length: 8 }, (_, i) => {
              const t = r.latencies.slice(i * eighth, (i + 1) * eighth).sort((a, b) => a - b);
              return `${percentile(t, 50).toFixed(0)}/${percentile(t, 99).toFixed(0)}/${t.at(-1)!.toFixed(0)}`;
            });
            console.log(`${root} round ${round} c=${r.concurrency} by eighths (p50/p99/max ms): ${spans.join('  ')}`);
            const rps = (r.count / r.wallMs) * 1000;
            const row = {
              root,
              round,
              concurrency: r.concurrency,
              rps: Math.round(rps),
              p50: +percentile(sorted, 50).toFixed(1),
              p99: +percentile(sorted, 99).toFixed(1),
              tps: Math.round(p.tps),
              seconds: p.seconds,
              ratio: +(rps / p.tps).toFixed(3),
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
console.log('| checkout | round | concurrency | req/s | p50 ms | p99 ms | p99 ÷ p50 | pgbench tps (same minutes) | ratio |');
console.log('|---|---|---|---|---|---|---|---|---|');
for (const r of results)
  console.log(
    `| ${r.root} | ${r.round} | ${r.concurrency} | ${r.rps} | ${r.p50} | ${r.p99} | ${(r.p99 / r.p50).toFixed(2)} | ${r.tps} (${r.seconds} s) | ${r.ratio} |`,
  );
for (const concurrency of concurrencies) {
  const ratioOf = (root: string) => median(results.filter((r) => r.root === root && r.concurrency === concurrency).map((r) => r.ratio));
  const first = ratioOf(roots[0]!);
  for (const root of roots)
    console.log(
      `c=${concurrency} ${root}: median ratio to pgbench ${ratioOf(root).toFixed(3)} (÷ ${roots[0]}: ${(ratioOf(root) / first).toFixed(3)})`,
    );
}
process.exit(0);
