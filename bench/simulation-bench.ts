// The what-if replay (issue 21) over 100,000 stored decisions on PostgreSQL: POST
// /v1/policies/{id}/simulate's work (simulatePolicy: read the period's decisions in pages, decide()
// each with the draft, tally) timed against decide() alone over the same facts in memory, in turns.
// The goal is under 2 s; the ratio says what reading the decisions back costs over deciding them.
//
// Seeding: one merchant, one course product on the course preset, 100,000 orders and refund requests
// (set-based SQL), and one engine decision per request whose facts are the policy bench's (every
// boundary of the course preset, then random orders over two days), stored with the outcome and
// trace decide() gives them under the preset, as the workflow stores them.
import pg from 'pg';
import { decide, PRESETS, type Policy } from '../src/policy/index.ts';
import { policyFacts } from './policy-bench.ts';
import type { Figure } from './table.ts';

export const SIMULATED_DECISIONS = 100_000;
const CREATED = Date.parse('2026-11-25T10:00:00Z');

export interface SimulationBench {
  decisions: number;
  /** Wall time of each simulation run, ms. */
  simulationMs: number[];
  /** Wall time of each run of decide() alone over the same facts, ms. */
  decideMs: number[];
  changed: number;
  seedMs: number;
}

/** The stricter draft timed: 10 minutes unconditional, then 24 hours with at most 5 % watched. */
export const BENCH_DRAFT: Policy = {
  ...PRESETS.course,
  version: 0,
  windows: { unconditionalMinutes: 10, conditionalHours: 24 },
  conditions: [{ kind: 'course_progress_at_most', threshold: 0.05 }],
};

export async function seedDecisions(url: string, count: number): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`
      INSERT INTO merchants (id, name, "updatedAt") VALUES ('m_sim', 'Simulation shop', now());
      INSERT INTO products (id, "merchantId", title, category, "priceMinor", currency, "policyId", "updatedAt")
        VALUES ('p_sim', 'm_sim', 'Course', 'course', 9900, 'CNY', 'course-default', now());
      INSERT INTO buyers (id, name, "registeredAt", "updatedAt") VALUES ('b_sim', 'Buyer', now() - interval '90 days', now());
      INSERT INTO orders (id, "buyerId", "productId", "amountMinor", currency, "paidAt", "paymentMethod", "paymentTransactionId")
        SELECT 'o_sim_' || i, 'b_sim', 'p_sim', 9900, 'CNY', now() - interval '3 days', 'wechat', 'tx_sim_' || i FROM generate_series(0, ${count - 1}) i;
      INSERT INTO refund_requests (id, "orderId", "productId", "buyerId", status, outcome, "reasonCode", channel, "policyId", "policyVersion", "createdAt", "updatedAt")
        SELECT 'rr_sim_' || i, 'o_sim_' || i, 'p_sim', 'b_sim', 'refunded', 'approved', 'changed_mind', 'shop', 'course-default', 2, now(), now() FROM generate_series(0, ${count - 1}) i;`);
    const facts = policyFacts(count);
    const page = 5_000;
    for (let start = 0; start < count; start += page) {
      const ids: string[] = [],
        requests: string[] = [],
        outcomes: string[] = [],
        decidedBy: string[] = [],
        factsJson: string[] = [],
        rules: string[] = [],
        zh: string[] = [],
        en: string[] = [],
        created: string[] = [];
      for (let i = start; i < Math.min(count, start + page); i += 1) {
        const d = decide(PRESETS.course, facts[i]!);
        ids.push(`dc_sim_${i}`);
        requests.push(`rr_sim_${i}`);
        outcomes.push(d.outcome);
        decidedBy.push(d.decidedBy);
        factsJson.push(JSON.stringify(facts[i]));
        rules.push(JSON.stringify(d.rules));
        zh.push(d.explanation.zh);
        en.push(d.explanation.en);
        created.push(new Date(CREATED + i * 1_000).toISOString());
      }
      await client.query(
        `INSERT INTO decisions (id, "refundRequestId", actor, outcome, "decidedBy", facts, rules, "explanationZh", "explanationEn", "policyId", "policyVersion", "createdAt")
         SELECT id, rr, 'policy', outcome::"DecisionOutcome", by, facts, rules, zh, en, 'course-default', 2, created::timestamptz AT TIME ZONE 'UTC'
           FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::jsonb[], $6::jsonb[], $7::text[], $8::text[], $9::text[]) AS t(id, rr, outcome, by, facts, rules, zh, en, created)`,
        [ids, requests, outcomes, decidedBy, factsJson, rules, zh, en, created],
      );
    }
    await client.query('ANALYZE');
  } finally {
    await client.end();
  }
}

/** Seeds `count` decisions in the database at `url`, then times `runs` simulations and as many decide() passes, in turns. */
export async function benchSimulation(
  url: string,
  runs = 3,
  count = SIMULATED_DECISIONS,
  say: (line: string) => void = () => {},
): Promise<SimulationBench> {
  const { openDatabase } = await import('../src/store/database.ts');
  const { migrate } = await import('../src/store/migrator.ts');
  const { simulatePolicy } = await import('../src/refunds/policy-simulation.ts');
  const db = await openDatabase({ kind: 'postgres', url, poolSize: 2 });
  try {
    await migrate(db.sql);
    const seeded = performance.now();
    say(`simulation: seeding ${count.toLocaleString('en-US')} decisions`);
    await seedDecisions(url, count);
    const seedMs = performance.now() - seeded;
    const range = { from: new Date(CREATED), to: new Date(CREATED + count * 1_000) };
    const facts = policyFacts(count);
    const simulationMs: number[] = [];
    const decideMs: number[] = [];
    let changed = 0;
    // One untimed run each warms the JIT, the connection and PostgreSQL's cache.
    const simulate = () => simulatePolicy(db, 'course-default', BENCH_DRAFT, range, 'draft');
    const decideAll = () => {
      let approved = 0;
      for (const f of facts) if (decide(BENCH_DRAFT, f).outcome === 'approved') approved += 1;
      return approved;
    };
    const warm = await simulate();
    if (warm.requests !== count) throw new Error(`simulation read ${warm.requests} of ${count} decisions`);
    decideAll();
    for (let i = 0; i < runs; i += 1) {
      let t0 = performance.now();
      changed = (await simulate()).changed;
      simulationMs.push(performance.now() - t0);
      t0 = performance.now();
      decideAll();
      decideMs.push(performance.now() - t0);
    }
    return { decisions: count, simulationMs, decideMs, changed, seedMs };
  } finally {
    await db.close();
  }
}

/** A run's figures as the table reads them: decisions per second over the median run. */
export function simulationFigure(b: SimulationBench, which: 'simulation' | 'decide'): Figure {
  const all = [...(which === 'simulation' ? b.simulationMs : b.decideMs)].sort((x, y) => x - y);
  return { count: b.decisions, wallMs: all[Math.floor(all.length / 2)]!, latencies: null };
}
