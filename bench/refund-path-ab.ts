// The refund path of two checkouts in one sitting, taking turns (A B, B A, ...), so both see the same
// machine: `POST /v1/refund-requests` end to end (bench/e2e.ts: PostgreSQL, Redis, the sandbox gateway
// at zero latency, every request a real approval and refund) at concurrency 1 and 32, each run on a
// throwaway database. Prints the medians per side and their ratio, and each round's figures.
//
//   npx tsx bench/refund-path-ab.ts --base <checkout> [--rounds N]
//
// <checkout> is another copy of this repository with its dependencies (e.g. `git archive <commit> | tar
// -x -C dir`, then node_modules and src/generated linked or copied from here). On a loaded machine one
// round swings by tens of per cent: compare medians of several rounds, and the per-round pairs.
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';

const ADMIN = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const { values } = parseArgs({ options: { base: { type: 'string' }, rounds: { type: 'string', default: '3' } } });
if (!values.base) throw new Error('--base <checkout> is required');
const roots = { base: values.base, this: fileURLToPath(new URL('..', import.meta.url)) };
type Side = keyof typeof roots;
const rounds = Number(values.rounds);
const plan = {
  warm: 100,
  runs: [
    { concurrency: 1, requests: 300 },
    { concurrency: 32, requests: 1_500 },
  ],
};
const quantile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]!;
const figures: Record<Side, Array<{ concurrency: number; perSecond: number; p50: number; p99: number; allCreated: boolean }>> = {
  base: [],
  this: [],
};

async function once(side: Side): Promise<void> {
  const { loadRefundRequests } = (await import(`${roots[side]}/bench/e2e.ts`)) as typeof import('./e2e.ts');
  const admin = new pg.Client({ connectionString: ADMIN });
  await admin.connect();
  const name = `rd_bench_ab_${randomBytes(4).toString('hex')}`;
  await admin.query(`CREATE DATABASE "${name}"`);
  const url = new URL(ADMIN);
  url.pathname = `/${name}`;
  try {
    for (const r of await loadRefundRequests(url.toString(), plan)) {
      figures[side].push({
        concurrency: r.concurrency,
        perSecond: (r.count / r.wallMs) * 1000,
        p50: quantile(r.latencies, 0.5),
        p99: quantile(r.latencies, 0.99),
        allCreated: r.created === r.count,
      });
    }
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
  }
}

for (let round = 0; round < rounds; round += 1) {
  for (const side of (round % 2 === 0 ? ['base', 'this'] : ['this', 'base']) as Side[]) {
    await once(side);
    const last = figures[side]
      .slice(-2)
      .map((f) => `c${f.concurrency} ${f.perSecond.toFixed(1)}/s p50 ${f.p50.toFixed(1)} ms p99 ${f.p99.toFixed(1)} ms`);
    process.stderr.write(`round ${round + 1} ${side}: ${last.join(' · ')}\n`);
  }
}
for (const concurrency of [1, 32]) {
  const of = (side: Side) => figures[side].filter((f) => f.concurrency === concurrency);
  const med = (side: Side, key: 'perSecond' | 'p50' | 'p99') =>
    quantile(
      of(side).map((f) => f[key]),
      0.5,
    );
  console.log(
    `concurrency ${concurrency}: base ${med('base', 'perSecond').toFixed(1)}/s (p50 ${med('base', 'p50').toFixed(1)}, p99 ${med('base', 'p99').toFixed(1)} ms) · ` +
      `this ${med('this', 'perSecond').toFixed(1)}/s (p50 ${med('this', 'p50').toFixed(1)}, p99 ${med('this', 'p99').toFixed(1)} ms) · ` +
      `this ÷ base ${(med('this', 'perSecond') / med('base', 'perSecond')).toFixed(3)} · every request refunded: ${[...of('base'), ...of('this')].every((f) => f.allCreated)}`,
  );
}
