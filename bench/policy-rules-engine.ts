// decide()'s anchor: a refund policy's windows and locks written as json-rules-engine rules, the way
// a team would write them for that engine: one rule per policy rule, in decide()'s order (priorities),
// the first that fires decides (the engine stops there), facts derived the way decide() derives them.
//
// It covers what the policy data says about windows, locks and usage conditions (M1–M4), generated
// from the same Policy object decide() is given; the other rules of decide() (amount left, risk,
// troubleshooting first, restricted buyers, allowances, the payment route) are not translated, so the
// facts compared hold those at values that pass them (see neutralFacts in policy-bench.ts), and the
// bench checks on every fact that both engines reach the same outcome by the same rule.
import { Engine, type Almanac, type RuleProperties, type TopLevelCondition } from 'json-rules-engine';
import type { DecisionFacts, Policy } from '../src/policy/index.ts';

/** One condition of an `all` list (the package does not export the type by name). */
type NestedCondition = Extract<TopLevelCondition, { all: unknown }>['all'][number];

type PolicyLock = Policy['locks'][number];
type PolicyCondition = Policy['conditions'][number];

export interface RulesEngineDecision {
  outcome: 'approved' | 'rejected';
  decidedBy: string;
}

const MINUTE = 60_000;
const usageIs = (field: keyof DecisionFacts['usage'], value: boolean): NestedCondition => ({
  fact: 'usage',
  path: `$.${field}`,
  operator: 'equal',
  value,
});

/** When a lock closes self-service (decide(): lockTriggered). */
function lockFires(lock: PolicyLock): NestedCondition {
  switch (lock.kind) {
    case 'course_progress':
      return { fact: 'courseProgress', operator: 'greaterThan', value: lock.above };
    case 'key_revealed':
      return usageIs('keyRevealed', true);
    case 'key_copied':
      return usageIs('keyCopied', true);
    case 'key_activated':
      return usageIs('keyActivated', true);
    case 'file_downloaded':
      return usageIs('fileDownloaded', true);
    case 'membership_activated':
      return usageIs('membershipActivated', true);
    case 'software_login':
      return usageIs('softwareLogin', true);
  }
}

/** When a usage condition of the conditional window fails (decide(): conditionHolds, negated). */
function conditionFails(condition: PolicyCondition): NestedCondition {
  switch (condition.kind) {
    case 'course_progress_at_most':
      return { fact: 'courseProgress', operator: 'greaterThan', value: condition.threshold };
    case 'key_not_revealed':
      return usageIs('keyRevealed', true);
    case 'key_not_activated':
      return usageIs('keyActivated', true);
    case 'file_not_downloaded':
      return usageIs('fileDownloaded', true);
    case 'membership_not_activated':
      return usageIs('membershipActivated', true);
    case 'software_not_logged_in':
      return usageIs('softwareLogin', true);
  }
}

/** The policy's rules for json-rules-engine, highest priority first (decide()'s order). */
export function policyRules(policy: Policy): RuleProperties[] {
  const { unconditionalMinutes, conditionalHours } = policy.windows;
  const ordered: Array<{ name: string; outcome: RulesEngineDecision['outcome']; conditions: RuleProperties['conditions'] }> = [
    // Locks close self-service whatever the window (M4); the first in the policy's order decides.
    ...policy.locks.map((lock) => ({ name: `lock.${lock.kind}`, outcome: 'rejected' as const, conditions: { all: [lockFires(lock)] } })),
    // Within N minutes of payment, any reason (M1).
    {
      name: 'window.unconditional',
      outcome: 'approved',
      conditions: { all: [{ fact: 'ageMs', operator: 'lessThanInclusive', value: unconditionalMinutes * MINUTE }] },
    },
    // Past both windows (M3).
    {
      name: 'window.expired',
      outcome: 'rejected',
      conditions: { all: [{ fact: 'ageMs', operator: 'greaterThan', value: conditionalHours * 60 * MINUTE }] },
    },
    // Inside the conditional window, each usage condition in order (M2, M22).
    ...policy.conditions.map((c) => ({
      name: `condition.${c.kind}`,
      outcome: 'rejected' as const,
      conditions: { all: [conditionFails(c)] },
    })),
    // Nothing above fired: inside the conditional window with every condition met.
    { name: 'window.conditional', outcome: 'approved', conditions: { all: [] } },
  ];
  return ordered.map((r, i) => ({
    name: r.name,
    priority: ordered.length - i,
    conditions: r.conditions,
    event: { type: r.outcome, params: { decidedBy: r.name } },
  }));
}

/** One engine for the policy, reused for every decision (its rules are prepared once). */
export function policyEngine(policy: Policy): (facts: DecisionFacts) => Promise<RulesEngineDecision> {
  const engine = new Engine(policyRules(policy), { allowUndefinedFacts: false });
  // As decide(): the order's age from the request's instant and the payment's, never negative.
  engine.addFact('ageMs', async (_params: unknown, almanac: Almanac) =>
    Math.max(0, Date.parse(await almanac.factValue<string>('now')) - Date.parse(await almanac.factValue<string>('paidAt'))),
  );
  // As decide(): no progress recorded counts as none watched.
  engine.addFact(
    'courseProgress',
    async (_params: unknown, almanac: Almanac) => (await almanac.factValue<DecisionFacts['usage']>('usage')).courseProgress ?? 0,
  );
  // The first rule to fire decides: no lower priority is evaluated after it.
  engine.on('success', () => {
    engine.stop();
  });
  return async (facts) => {
    const { events } = await engine.run({ now: facts.now, paidAt: facts.order.paidAt, usage: facts.usage });
    const first = events[0];
    if (!first) throw new Error('no rule fired (the last rule always should)');
    return { outcome: first.type as RulesEngineDecision['outcome'], decidedBy: String(first.params?.decidedBy) };
  };
}
