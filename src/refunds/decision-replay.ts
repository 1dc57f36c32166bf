// Replay (M19, `refund-desk replay`): every decision the policy made in a period, run through
// decide() again with the facts stored with it and the policy version it names, and compared.
//
// What it covers: the engine's decisions (actor "policy"), the only ones decide() makes. An agent's
// decision is a person's judgement on a case, with no rules to rerun: those are counted, not
// replayed. A decision agrees when the replay gives the same outcome, decided by the same rule,
// through the same trace of rules and results; a difference in words only (an explanation or a
// rule's detail reworded since) is counted apart. A decision whose policy version cannot be found
// or whose facts cannot be read is reported as not replayable.
import { z } from 'zod';
import { decide, storedFactsSchema, type Decision } from '../policy/index.ts';
import type { PrismaClient } from '../store/index.ts';
import { policyVersionOf } from './policy-resolver.ts';

export interface ReplayedDecision {
  decisionId: string;
  requestId: string;
  createdAt: string;
  policy: { id: string; version: number };
  stored: { outcome: string; decidedBy: string | null };
  replayed: { outcome: string; decidedBy: string } | null;
  /** Why it disagrees, or why it could not be replayed. */
  why: string;
}

export interface ReplayReport {
  from: string;
  to: string;
  /** The policy's decisions in [from, to). */
  policyDecisions: number;
  agree: number;
  /** Of those that agree, how many say it in other words than were stored. */
  reworded: number;
  disagree: ReplayedDecision[];
  notReplayable: ReplayedDecision[];
  /** Agents' decisions in the period: a person's judgement, not replayed. */
  agentDecisions: number;
}

const storedRules = z.array(z.object({ id: z.string(), result: z.string(), detail: z.string() }));

interface StoredDecision {
  id: string;
  refundRequestId: string;
  createdAt: Date;
  outcome: string;
  decidedBy: string | null;
  facts: unknown;
  rules: unknown;
  explanationZh: string;
  explanationEn: string;
  policyId: string;
  policyVersion: number;
}

/** Compares a stored decision with its replay: null when they agree, else what differs. */
export function compareDecision(stored: StoredDecision, replayed: Decision): { differs: string | null; reworded: boolean } {
  const rules = storedRules.safeParse(stored.rules);
  if (!rules.success) return { differs: 'the stored rule trace cannot be read', reworded: false };
  if (replayed.outcome !== stored.outcome) return { differs: `outcome ${stored.outcome} → ${replayed.outcome}`, reworded: false };
  // Decisions stored before the deciding rule was recorded are compared by their trace alone.
  if (stored.decidedBy !== null && replayed.decidedBy !== stored.decidedBy)
    return { differs: `decided by ${stored.decidedBy} → ${replayed.decidedBy}`, reworded: false };
  const trace = (r: Array<{ id: string; result: string }>) => r.map((x) => `${x.id}:${x.result}`).join(' ');
  if (trace(rules.data) !== trace(replayed.rules)) {
    const at = rules.data.findIndex((r, i) => r.id !== replayed.rules[i]?.id || r.result !== replayed.rules[i]?.result);
    const was = rules.data[at];
    const now = replayed.rules[at];
    return {
      differs: `rule trace differs at ${at + 1}: ${was ? `${was.id} ${was.result}` : '(none)'} → ${now ? `${now.id} ${now.result}` : '(none)'}`,
      reworded: false,
    };
  }
  const reworded =
    stored.explanationZh !== replayed.explanation.zh ||
    stored.explanationEn !== replayed.explanation.en ||
    rules.data.some((r, i) => r.detail !== replayed.rules[i]!.detail);
  return { differs: null, reworded };
}

export async function replayDecisions(prisma: PrismaClient, range: { from: Date; to: Date }, batchSize = 500): Promise<ReplayReport> {
  const report: ReplayReport = {
    from: range.from.toISOString(),
    to: range.to.toISOString(),
    policyDecisions: 0,
    agree: 0,
    reworded: 0,
    disagree: [],
    notReplayable: [],
    agentDecisions: 0,
  };
  const inRange = { createdAt: { gte: range.from, lt: range.to } };
  report.agentDecisions = await prisma.decision.count({ where: { ...inRange, actor: { startsWith: 'agent:' } } });
  let cursor: string | undefined;
  for (;;) {
    const batch: StoredDecision[] = await prisma.decision.findMany({
      where: { ...inRange, actor: 'policy' },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      take: batchSize,
      ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
    });
    if (batch.length === 0) break;
    cursor = batch.at(-1)!.id;
    for (const stored of batch) {
      report.policyDecisions += 1;
      const entry = (replayed: Decision | null, why: string): ReplayedDecision => ({
        decisionId: stored.id,
        requestId: stored.refundRequestId,
        createdAt: stored.createdAt.toISOString(),
        policy: { id: stored.policyId, version: stored.policyVersion },
        stored: { outcome: stored.outcome, decidedBy: stored.decidedBy },
        replayed: replayed ? { outcome: replayed.outcome, decidedBy: replayed.decidedBy } : null,
        why,
      });
      const policy = await policyVersionOf(prisma, stored.policyId, stored.policyVersion);
      if (!policy) {
        report.notReplayable.push(entry(null, `policy ${stored.policyId} version ${stored.policyVersion} is not known to this desk`));
        continue;
      }
      const facts = storedFactsSchema.safeParse(stored.facts);
      if (!facts.success) {
        report.notReplayable.push(
          entry(null, `the stored facts cannot be read: ${facts.error.issues[0]?.path.join('.')} ${facts.error.issues[0]?.message}`),
        );
        continue;
      }
      const replayed = decide(policy, facts.data);
      const { differs, reworded } = compareDecision(stored, replayed);
      if (differs) {
        report.disagree.push(entry(replayed, differs));
      } else {
        report.agree += 1;
        if (reworded) report.reworded += 1;
      }
    }
    if (batch.length < batchSize) break;
  }
  return report;
}

const share = (n: number, of: number) => (of === 0 ? '—' : `${((100 * n) / of).toFixed(1)} %`);

/** The report as the CLI prints it: the figures, then each decision that does not agree. */
export function describeReplay(r: ReplayReport): string {
  const lines = [
    `Replayed ${r.policyDecisions} policy decisions made from ${r.from} to ${r.to}: ${r.agree} agree (${share(r.agree, r.policyDecisions)}), ` +
      `${r.disagree.length} disagree, ${r.notReplayable.length} could not be replayed.`,
  ];
  if (r.reworded > 0)
    lines.push(`  ${r.reworded} of those that agree are worded differently today (explanations or rule details changed since).`);
  lines.push(`Not replayed: ${r.agentDecisions} decisions by agents (a person's judgement, not the policy's).`);
  for (const d of r.disagree) {
    lines.push(
      `  DISAGREES ${d.requestId} (${d.decisionId}, ${d.createdAt}, ${d.policy.id} v${d.policy.version}): stored ${d.stored.outcome} by ${d.stored.decidedBy ?? '?'}, replayed ${d.replayed!.outcome} by ${d.replayed!.decidedBy}: ${d.why}`,
    );
  }
  for (const d of r.notReplayable) lines.push(`  NOT REPLAYABLE ${d.requestId} (${d.decisionId}, ${d.createdAt}): ${d.why}`);
  return lines.join('\n');
}
