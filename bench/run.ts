// npm run bench — figures that carry their anchors: each one printed beside a reference measured in
// the same run, on the same machine, in the same minutes, and the ratio of the two. Never part of the
// tests. On a shared machine the absolute figures move with the load; the ratios are the point.
//
//   1. the policy engine decide() beside json-rules-engine running the same policy over the same
//      facts (and a check that both decide every fact alike: mismatches must be 0);
//   2. the NLU's classify() beside node-nlp's own process() (the @nlpjs/nlp engine NlpManager wraps) on the same model and messages;
//   3. a dialogue turn that runs no refund (no anchor: the bot's own cost per message);
//   4. the what-if replay of a policy draft (POST /v1/policies/{id}/simulate's work) over 100,000 stored
//      decisions on PostgreSQL, beside decide() alone over the same facts (bench/simulation-bench.ts);
//   5. POST /v1/refund-requests end to end on PostgreSQL and Redis with the sandbox gateway at zero
//      latency, at concurrency 1 and 32 (every request an M21-type approval that really refunds), then
//      the same at concurrency 32 against one and three `refund-desk start` processes (compiled),
//      each run followed by pgbench TPC-B (16 clients) on the same server for the same duration.
//
//   npm run bench [-- --quick]                     the figures above (--quick: a short run)
//   npm run bench -- --simulation                  the what-if simulation row alone (4.)
//   npm run bench -- --startup [--root DIR]... [--runs N] [--settle S] [--mode embedded|postgres]
//                                                  start-up time and idle RSS of each checkout (bench/startup.ts)
//
// The table is printed as Markdown and written with the run's details to bench/results/.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { comparePolicyEngines } from './policy-bench.ts';
import { compareNlu } from './nlu-bench.ts';
import { scratchPgbench, type ScratchPgbench } from './pgbench.ts';
import { benchStartup, STARTUP_METHOD, type StartMode } from './startup.ts';
import { int, markdownTable, ms, perSecond, ratio, row, latency, type Anchor, type Figure, type Row } from './table.ts';
import type { LoadResult } from './e2e.ts';

export type { Row } from './table.ts';
export { row } from './table.ts';

const ADMIN_URL = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const REDIS = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const ROOT = fileURLToPath(new URL('..', import.meta.url));

export const loadRow = (label: string, r: LoadResult, anchor: Anchor | null = null): Row =>
  row(`${label}, concurrency ${r.concurrency}`, r, anchor, `${r.created}/${r.count} answered 201`);

/**
 * One dialogue turn that runs no refund (a greeting, a status question, the order list, the policy),
 * on PostgreSQL and Redis with the demo shop: the bot's own cost per message.
 */
async function benchDialogue(databaseUrl: string, quick: boolean): Promise<Row> {
  const { loadConfig } = await import('../src/config.ts');
  const { createDesk } = await import('../src/desk.ts');
  const { seedDemoShop } = await import('../src/demo/seed-demo.ts');
  const desk = await createDesk(
    loadConfig({
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      PORT: '0',
      DATABASE_URL: databaseUrl,
      REDIS_URL: REDIS,
      REDIS_KEY_PREFIX: `rd-bench:${randomBytes(4).toString('hex')}:`,
      DEMO_SEED: 'off',
    }),
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
      await desk.dialogue.handle({
        channel: 'widget',
        chatId: `bench_${n % 50}`,
        deliveryId: String(n),
        buyerId: 'b_demo_buyer',
        text: texts[n % texts.length]!,
      });
      latencies.push(performance.now() - t0);
      n += 1;
    }
    return row(
      'dialogue turn (no refund)',
      { count: n, wallMs: performance.now() - started, latencies },
      null,
      'NLU, state, replies, stored messages',
    );
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

export const planFor = (quick: boolean) =>
  quick
    ? {
        warm: 100,
        runs: [
          { concurrency: 1, requests: 200 },
          { concurrency: 32, requests: 1_000 },
        ],
      }
    : {
        warm: 300,
        runs: [
          { concurrency: 1, requests: 1_000 },
          { concurrency: 32, requests: 5_000 },
        ],
      };
export const PLAN = planFor(process.argv.includes('--quick'));

/** The refund path's figures, each with pgbench run right after it for the same duration. */
async function benchRefundPath(
  quick: boolean,
  say: (line: string) => void,
): Promise<{ rows: Row[]; pgbench: string; runs: Array<{ label: string; load: Figure; tps: number; seconds: number }> }> {
  const { loadRefundRequests, loadRefundRequestsAcross } = await import('./e2e.ts');
  const plan = planFor(quick);
  const rows: Row[] = [];
  const runs: Array<{ label: string; load: Figure; tps: number; seconds: number }> = [];
  say('pgbench: initialising a scratch database (scale 16)');
  const bench: ScratchPgbench = await scratchPgbench(ADMIN_URL);
  try {
    const anchored = (label: string) => async (r: LoadResult) => {
      say(
        `${label}, concurrency ${r.concurrency}: ${int(perSecond(r.count, r.wallMs))}/s in ${(r.wallMs / 1000).toFixed(1)} s; pgbench for as long`,
      );
      const p = await bench.run(r.wallMs / 1000);
      runs.push({ label: `${label}, concurrency ${r.concurrency}`, load: r, tps: p.tps, seconds: p.seconds });
      rows.push(
        loadRow(label, r, {
          anchor: `pgbench TPC-B, ${p.clients} clients, ${p.seconds} s right after`,
          figure: `${int(p.tps)} tps`,
          ratio: `${ratio(perSecond(r.count, r.wallMs) / p.tps)} of tps`,
        }),
      );
    };
    rows.push(await withThrowawayDatabase((url) => benchDialogue(url, quick)));
    await withThrowawayDatabase((url) => loadRefundRequests(url, plan, anchored('POST /v1/refund-requests')));
    const across = { warm: plan.warm, concurrency: 32, requests: plan.runs.at(-1)!.requests };
    for (const instances of [1, 3]) {
      await withThrowawayDatabase((url) =>
        loadRefundRequestsAcross(
          url,
          instances,
          across,
          anchored(`POST /v1/refund-requests, ${instances} desk process${instances > 1 ? 'es' : ''}`),
        ),
      );
    }
    return { rows, pgbench: bench.version, runs };
  } finally {
    await bench.drop();
  }
}

/** Issue 21: the what-if replay over 100,000 stored decisions, against decide() alone on the same facts. */
async function simulationRow(quick: boolean, say: (line: string) => void): Promise<{ row: Row; note: string | null }> {
  try {
    const { benchSimulation, simulationFigure, SIMULATED_DECISIONS } = await import('./simulation-bench.ts');
    const sim = await withThrowawayDatabase((url) => benchSimulation(url, quick ? 3 : 5, SIMULATED_DECISIONS, say));
    const s = simulationFigure(sim, 'simulation');
    const alone = simulationFigure(sim, 'decide');
    return {
      row: row(
        `what-if simulation, ${int(sim.decisions)} stored decisions (PostgreSQL)`,
        s,
        {
          anchor: 'decide() alone over the same facts in memory, in turns',
          figure: `${int(alone.wallMs)} ms for ${int(sim.decisions)}`,
          ratio: `${ratio(s.wallMs / alone.wallMs)}× its time`,
        },
        `median of ${sim.simulationMs.length} runs: ${int(s.wallMs)} ms (goal < 2,000 ms: ${s.wallMs < 2_000 ? 'met' : 'missed'}); ${int(sim.changed)} changed by the stricter draft`,
      ),
      note: `simulation runs (ms): ${sim.simulationMs.map(int).join(', ')}; decide() alone (ms): ${sim.decideMs.map(int).join(', ')}; seeding took ${int(sim.seedMs)} ms`,
    };
  } catch (error) {
    return {
      row: row('what-if simulation', { count: 0, wallMs: 1, latencies: null }, null, `skipped: ${(error as Error).message}`),
      note: null,
    };
  }
}

function commitOf(root: string): string {
  try {
    const git = (...args: string[]) =>
      execFileSync('git', ['-C', root, ...args], { stdio: ['ignore', 'pipe', 'ignore'] })
        .toString()
        .trim();
    const commit = git('rev-parse', '--short', 'HEAD');
    const dirty = git('status', '--porcelain', '--untracked-files=no');
    return dirty ? `${commit}+changes` : commit;
  } catch {
    return 'unknown';
  }
}

function machine(): string {
  const [one, five] = os.loadavg();
  return `${os.cpus().length} cores, load average ${one!.toFixed(1)} (1 min) ${five!.toFixed(1)} (5 min), Node ${process.version}`;
}

function writeResults(kind: string, data: unknown): string {
  const dir = fileURLToPath(new URL('./results/', import.meta.url));
  fs.mkdirSync(dir, { recursive: true });
  const file = `${dir}${kind}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`;
  fs.writeFileSync(file, `${JSON.stringify(data, null, 2)}\n`);
  return file;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      startup: { type: 'boolean', default: false },
      root: { type: 'string', multiple: true },
      runs: { type: 'string' },
      settle: { type: 'string' },
      mode: { type: 'string', multiple: true },
      simulation: { type: 'boolean', default: false },
    },
  });
  const say = (line: string) => process.stderr.write(`bench: ${line}\n`);
  const quick = values.quick!;

  if (values.startup) {
    const runs = Number(values.runs ?? (quick ? 3 : 5));
    const settleMs = Number(values.settle ?? 5) * 1000;
    const modes = (values.mode ?? ['embedded', 'postgres']) as StartMode[];
    if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs must be a whole number ≥ 1');
    if (!Number.isFinite(settleMs) || settleMs < 0) throw new Error('--settle must be a number of seconds ≥ 0');
    if (modes.some((m) => m !== 'embedded' && m !== 'postgres')) throw new Error('--mode must be embedded or postgres');
    const result = await benchStartup({
      roots: values.root ?? [ROOT],
      runs,
      settleMs,
      modes,
      adminUrl: ADMIN_URL,
      redisUrl: REDIS,
      log: say,
    });
    console.log(`\nrefund-desk start-up bench on ${machine()}`);
    for (const c of result.checkouts) console.log(`  ${c.label}: ${c.root} (${c.runs})`);
    console.log(`  how: ${STARTUP_METHOD(runs, settleMs)}\n`);
    console.log(markdownTable(result.rows));
    console.log(`\nwritten to ${writeResults('startup', { at: new Date().toISOString(), machine: machine(), runs, settleMs, ...result })}`);
    return 0;
  }

  if (values.simulation) {
    const { row: r, note } = await simulationRow(quick, say);
    console.log(`\nrefund-desk what-if simulation bench at ${commitOf(ROOT)} on ${machine()}\n`);
    console.log(markdownTable([r]));
    if (note) console.log(`\n${note}`);
    console.log(
      `written to ${writeResults('simulation', { at: new Date().toISOString(), commit: commitOf(ROOT), machine: machine(), rows: [r], notes: [note] })}`,
    );
    return r.note?.startsWith('skipped') ? 1 : 0;
  }

  const budget = quick ? 2_000 : 8_000;
  const rows: Row[] = [];
  const notes: string[] = [];
  say('decide() beside json-rules-engine');
  const policy = await comparePolicyEngines(budget);
  const d = perSecond(policy.decide.count, policy.decide.wallMs);
  const e = perSecond(policy.rulesEngine.count, policy.rulesEngine.wallMs);
  const jre = JSON.parse(fs.readFileSync(new URL('../node_modules/json-rules-engine/package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  const el = latency(policy.rulesEngine)!;
  rows.push(
    row(
      'policy engine decide() (course preset)',
      policy.decide,
      {
        anchor: `json-rules-engine ${jre.version}, same policy and facts, in turns`,
        figure: `${int(e)}/s, p50 ${ms(el.p50)} ms`,
        ratio: `${ratio(d / e)}× its throughput`,
      },
      `${policy.mismatches.length} mismatches in ${policy.facts} facts; per-decision latency from batches of ${policy.facts}`,
    ),
  );
  notes.push(
    `decide() outcomes over the ${policy.facts} facts: ${Object.entries(policy.outcomes)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
  );
  for (const m of policy.mismatches.slice(0, 10))
    notes.push(`MISMATCH fact ${m.index}: decide() ${m.decide}, json-rules-engine ${m.rulesEngine}`);

  const simulation = await simulationRow(quick, say);
  rows.push(simulation.row);
  if (simulation.note) notes.push(simulation.note);

  say("classify() beside node-nlp's process()");
  const nlu = await compareNlu(budget);
  const cl = latency(nlu.classify)!;
  const pl = latency(nlu.process)!;
  rows.push(
    row(
      'NLU classify()',
      nlu.classify,
      {
        anchor: "node-nlp's process() alone (@nlpjs/nlp, as NlpManager.process calls it), same model and messages, in turns",
        figure: `${ms(pl.mean)} ms per message (p50 ${ms(pl.p50)}, p99 ${ms(pl.p99)})`,
        ratio: `${ratio(cl.mean / pl.mean)}× its time per message`,
      },
      `${nlu.messages} held-out messages, zh and en; classify() ${ms(cl.mean)} ms per message`,
    ),
  );

  let refund: Awaited<ReturnType<typeof benchRefundPath>> | null = null;
  try {
    refund = await benchRefundPath(quick, say);
    rows.push(...refund.rows);
    notes.push(
      `${refund.pgbench}, default TPC-B-like script, scale 16, -j ${Math.min(16, os.cpus().length)}; the refund figures' ratio is requests per second ÷ pgbench tps`,
    );
  } catch (error) {
    rows.push(row('POST /v1/refund-requests', { count: 0, wallMs: 1, latencies: null }, null, `skipped: ${(error as Error).message}`));
  }

  console.log(`\nrefund-desk bench (${quick ? 'quick' : 'full'}) at ${commitOf(ROOT)} on ${machine()}\n`);
  console.log(markdownTable(rows));
  console.log('');
  for (const n of notes) console.log(n);
  const file = writeResults('bench', {
    at: new Date().toISOString(),
    commit: commitOf(ROOT),
    machine: machine(),
    quick,
    rows,
    notes,
    policy: { facts: policy.facts, mismatches: policy.mismatches, outcomes: policy.outcomes },
    refundRuns: refund?.runs.map((r) => ({
      label: r.label,
      count: r.load.count,
      wallMs: r.load.wallMs,
      tps: r.tps,
      pgbenchSeconds: r.seconds,
    })),
  });
  console.log(`written to ${file}`);
  if (policy.mismatches.length > 0) {
    console.error(
      `bench: decide() and json-rules-engine disagree on ${policy.mismatches.length} facts: the comparison is not of the same policy`,
    );
    return 1;
  }
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(`bench: ${(error as Error).stack ?? String(error)}`);
      process.exit(1);
    },
  );
}
