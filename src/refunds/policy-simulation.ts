// What-if replay (issue 21): every engine decision of a period for the products on a policy, run
// through decide() again with the facts stored with it and a draft (or a stored version) instead of
// the version that decided, and the two compared. Nothing is written: it tells a merchant what a
// rule change would have done before it goes live.
//
// Which decisions: the engine's (actor "policy") made in [from, to) for a product that names the
// policy today, or made under the policy's id (a product that has moved on since still counts for
// the decisions it had under it). An agent's decision is a person's judgement, with no rules to
// rerun. A decision whose facts cannot be read is counted in `skipped`, not simulated.
//
// A decision "changed" when the draft's outcome differs from the stored one. `before` counts the
// stored outcomes, `after` the draft's; refundedMinor adds up what approvals refund in the policy's
// currency (orders in another one are counted, not added: yen are not fen). The automation share
// is the share decided with no person at once: not a review, not a refusal that opens a person's
// ticket straight away (M22, a lock inside the windows).
import type { Decision, DecisionFacts, Outcome, Policy } from '../policy/index.ts';
import { decide, storedFactsSchema } from '../policy/index.ts';
import type { PrismaClient, SqlRunner } from '../store/index.ts';
import { policyVersionOf } from './policy-resolver.ts';
import { policyDecisionsPage, type StoredDecisionRow } from './policy-store.ts';

export interface OutcomeCounts {
  approved: number;
  rejected: number;
  review: number;
  troubleshoot: number;
  refundedMinor: number;
}

export interface SimulationExample {
  requestId: string;
  before: Outcome;
  after: Outcome;
  /** The rule that decided under the draft. */
  rule: string;
}

export interface SimulationReport {
  policy: { id: string; version: number | 'draft' };
  from: string;
  to: string;
  currency: string;
  requests: number;
  changed: number;
  before: OutcomeCounts;
  after: OutcomeCounts;
  /** Share of the decisions taken with no person at once; null when there were none. */
  automationShare: { before: number | null; after: number | null };
  /** The first changed decisions, in the order they were made. */
  examples: SimulationExample[];
  /** Decisions whose stored facts could not be read (not simulated). */
  skipped: number;
}

const MINUTE = 60_000;

/**
 * Whether a stored decision put a person on the case at once, from what a decision row keeps
 * (outcome, deciding rule) and the windows of the version that decided. It restates decide()'s
 * handoffs: test/unit/policy/policy-simulation.test.ts holds the two together.
 */
export function personAtOnce(outcome: string, decidedBy: string | null, facts: DecisionFacts, policy: Pick<Policy, 'windows'>): boolean {
  if (outcome === 'review') return true;
  if (outcome !== 'rejected' || decidedBy === null) return false;
  if (decidedBy.startsWith('condition.')) return true;
  if (decidedBy.startsWith('lock.'))
    return Date.parse(facts.now) - Date.parse(facts.order.paidAt) <= policy.windows.conditionalHours * 60 * MINUTE;
  return false;
}

const OUTCOMES = new Set<string>(['approved', 'rejected', 'review', 'troubleshoot']);
const emptyCounts = (): OutcomeCounts => ({ approved: 0, rejected: 0, review: 0, troubleshoot: 0, refundedMinor: 0 });

/** One stored decision, as the simulation reads it. */
/**
 * The pure part: folds stored decisions and the draft's decisions of the same facts into the
 * report's figures. `versionOf` gives the policy a stored decision names (for its handoff).
 */
export class SimulationTally {
  readonly before = emptyCounts();
  readonly after = emptyCounts();
  requests = 0;
  changed = 0;
  skipped = 0;
  readonly examples: SimulationExample[] = [];
  private automatedBefore = 0;
  private automatedAfter = 0;

  constructor(
    private readonly draft: Policy,
    private readonly exampleLimit = 20,
  ) {}

  add(row: StoredDecisionRow, storedPolicy: Pick<Policy, 'windows'> | null): Decision | null {
    const parsed = storedFactsSchema.safeParse(row.facts);
    if (!parsed.success || !OUTCOMES.has(row.outcome)) {
      this.skipped += 1;
      return null;
    }
    const facts = parsed.data;
    const decision = decide(this.draft, facts);
    const before = row.outcome as Outcome;
    this.requests += 1;
    this.before[before] += 1;
    this.after[decision.outcome] += 1;
    if (facts.order.currency === this.draft.currency) {
      if (before === 'approved') this.before.refundedMinor += Math.max(0, facts.order.amountMinor - facts.order.alreadyRefundedMinor);
      this.after.refundedMinor += decision.refundAmountMinor;
    }
    // A version the desk no longer knows: its windows are read as the draft's (the closest guess).
    if (!personAtOnce(before, row.decidedBy, facts, storedPolicy ?? this.draft)) this.automatedBefore += 1;
    if (decision.handoff?.when !== 'now') this.automatedAfter += 1;
    if (decision.outcome !== before) {
      this.changed += 1;
      if (this.examples.length < this.exampleLimit)
        this.examples.push({ requestId: row.refundRequestId, before, after: decision.outcome, rule: decision.decidedBy });
    }
    return decision;
  }

  report(range: { from: Date; to: Date }, version: number | 'draft'): SimulationReport {
    const share = (n: number) => (this.requests === 0 ? null : Math.round((n / this.requests) * 10_000) / 10_000);
    return {
      policy: { id: this.draft.id, version },
      from: range.from.toISOString(),
      to: range.to.toISOString(),
      currency: this.draft.currency,
      requests: this.requests,
      changed: this.changed,
      before: this.before,
      after: this.after,
      automationShare: { before: share(this.automatedBefore), after: share(this.automatedAfter) },
      examples: this.examples,
      skipped: this.skipped,
    };
  }
}

const PAGE = 5_000;

/**
 * Runs the period's decisions for `policyId`'s products through `draft`. Read in pages by
 * (createdAt, id), so a long period never holds more than one page of facts.
 */
export async function simulatePolicy(
  db: { prisma: PrismaClient; sql: SqlRunner },
  policyId: string,
  draft: Policy,
  range: { from: Date; to: Date },
  version: number | 'draft',
): Promise<SimulationReport> {
  const tally = new SimulationTally(draft);
  const versions = new Map<string, Policy | null>();
  const versionOf = async (id: string, v: number) => {
    const key = `${id}\u0000${v}`;
    if (!versions.has(key)) versions.set(key, await policyVersionOf(db.prisma, id, v));
    return versions.get(key)!;
  };
  const page = (after: StoredDecisionRow | null) => {
    const next = policyDecisionsPage(db.sql, policyId, range, after, PAGE);
    // Read ahead: if deciding this page throws, the page being read is never awaited, and an
    // unhandled rejection would end the process. It is still awaited (and thrown) in the loop.
    next.catch(() => undefined);
    return next;
  };
  // The next page is read while this one is decided: the database works while decide() does.
  let pending = page(null);
  for (;;) {
    const rows = await pending;
    const full = rows.length === PAGE;
    if (full) pending = page(rows.at(-1)!);
    for (const row of rows) {
      const known = versions.get(`${row.policyId}\u0000${row.policyVersion}`);
      tally.add(row, known !== undefined ? known : await versionOf(row.policyId, row.policyVersion));
    }
    if (!full) break;
  }
  return tally.report(range, version);
}

const pct = (share: number | null) => (share === null ? '—' : `${(share * 100).toFixed(1)} %`);

/** The report as the CLI prints it. */
export function describeSimulation(r: SimulationReport): string {
  const counts = (c: OutcomeCounts) =>
    `${c.approved} approved · ${c.rejected} rejected · ${c.review} review · ${c.troubleshoot} troubleshoot · ${c.refundedMinor} ${r.currency} minor units refunded`;
  const lines = [
    `Simulated ${r.requests} decisions of ${r.policy.id} from ${r.from} to ${r.to} under ${r.policy.version === 'draft' ? 'the draft' : `version ${r.policy.version}`}: ${r.changed} would change.`,
    `  before: ${counts(r.before)}`,
    `  after:  ${counts(r.after)}`,
    `  decided without a person at once: ${pct(r.automationShare.before)} → ${pct(r.automationShare.after)}`,
  ];
  if (r.skipped > 0) lines.push(`  ${r.skipped} decisions with unreadable facts were not simulated.`);
  for (const e of r.examples) lines.push(`  ${e.requestId}: ${e.before} → ${e.after} (${e.rule})`);
  return lines.join('\n');
}
