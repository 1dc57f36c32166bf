// decide() beside json-rules-engine running the same policy (the course preset: unconditional 15 min,
// conditional 24 h with progress ≤ 10 %, expired past that; locks above 30 % watched and on download)
// over the same facts. Before anything is timed, both engines decide every fact and the outcomes and
// deciding rules are compared: the comparison is only honest when that count of mismatches is 0.
import { decide, NO_USAGE, PRESETS, type DecisionFacts } from '../src/policy/index.ts';
import { policyEngine } from './policy-rules-engine.ts';
import { alternate } from './alternate.ts';
import type { Figure } from './table.ts';

const MINUTE = 60_000;
const NOW = Date.parse('2026-11-25T10:00:00Z');

/** A small deterministic generator (mulberry32), so every run decides the same facts. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * Facts that pass every rule of decide() the rules engine does not carry (something left to refund,
 * no risk signal, a reason that is not "cannot use", a standard buyer inside the allowance, a payment
 * route), so windows, conditions and locks alone decide.
 */
function neutralFacts(i: number, ageMs: number, usage: DecisionFacts['usage']): DecisionFacts {
  return {
    now: new Date(NOW).toISOString(),
    order: {
      id: `o_${i}`,
      amountMinor: 9900,
      currency: 'CNY',
      paidAt: new Date(NOW - ageMs).toISOString(),
      paymentMethod: 'wechat',
      alreadyRefundedMinor: 0,
    },
    product: { id: 'p', title: 'T', category: 'course' },
    reason: { code: (['changed_mind', 'unsatisfied', 'other'] as const)[i % 3]! },
    usage,
    buyer: { id: 'b', tier: 'standard', autoRefunds30d: { count: 0, amountMinor: 0 } },
    risk: { action: 'allow', signals: [] },
    troubleshootingTried: false,
    refundRoute: { rail: 'sandbox', detail: 'sandbox' },
  };
}

/** Every boundary of the policy, each side of it, then random orders over two days. */
export function policyFacts(count = 2_048): DecisionFacts[] {
  const ages = [
    0,
    1,
    14 * MINUTE,
    15 * MINUTE - 1,
    15 * MINUTE,
    15 * MINUTE + 1,
    16 * MINUTE,
    2 * 60 * MINUTE,
    23 * 60 * MINUTE,
    24 * 60 * MINUTE - 1,
    24 * 60 * MINUTE,
    24 * 60 * MINUTE + 1,
    25 * 60 * MINUTE,
    72 * 60 * MINUTE,
  ];
  const progress = [null, 0, 0.05, 0.1, 0.1000001, 0.2, 0.3, 0.3000001, 0.5, 1];
  const facts: DecisionFacts[] = [];
  for (const age of ages) {
    for (const p of progress) {
      for (const downloaded of [false, true])
        facts.push(neutralFacts(facts.length, age, { ...NO_USAGE, courseProgress: p, fileDownloaded: downloaded }));
    }
  }
  const next = random(20);
  while (facts.length < count) {
    const usage = {
      ...NO_USAGE,
      // Mostly a little watched, as most requests are; some past the lock.
      courseProgress: next() < 0.1 ? null : Math.round(next() ** 2 * 60) / 100,
      fileDownloaded: next() < 0.15,
      // Not this policy's: a key or a membership says nothing about a course.
      keyRevealed: next() < 0.5,
      membershipActivated: next() < 0.5,
    };
    facts.push(neutralFacts(facts.length, Math.floor(next() * 48 * 60 * MINUTE), usage));
  }
  return facts;
}

export interface PolicyComparison {
  decide: Figure;
  rulesEngine: Figure;
  facts: number;
  mismatches: Array<{ index: number; decide: string; rulesEngine: string }>;
  outcomes: Record<string, number>;
}

export async function comparePolicyEngines(budgetMs: number): Promise<PolicyComparison> {
  const policy = PRESETS.course;
  const facts = policyFacts();
  const engine = policyEngine(policy);

  // Same outcome by the same rule, on every fact.
  const mismatches: PolicyComparison['mismatches'] = [];
  const outcomes: Record<string, number> = {};
  for (const [index, f] of facts.entries()) {
    const d = decide(policy, f);
    const e = await engine(f);
    const ours = `${d.outcome} by ${d.decidedBy}`;
    const theirs = `${e.outcome} by ${e.decidedBy}`;
    outcomes[ours] = (outcomes[ours] ?? 0) + 1;
    if (ours !== theirs) mismatches.push({ index, decide: ours, rulesEngine: theirs });
  }

  // Per-decision latency from batches over the whole fact set, the two engines taking turns.
  const [decideFigure, engineFigure] = await alternate(budgetMs, [
    async () => {
      for (const f of facts) decide(policy, f);
      return facts.length;
    },
    async () => {
      for (const f of facts) await engine(f);
      return facts.length;
    },
  ]);
  return { decide: decideFigure!, rulesEngine: engineFigure!, facts: facts.length, mismatches, outcomes };
}
