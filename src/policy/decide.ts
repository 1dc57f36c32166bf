// decide(policy, facts) → Decision. Pure: no clock, no database, no randomness. The same policy
// version and facts always give the same decision (M19), every rule checked is in the trace, in the
// order it was checked, and nothing outside decides: the workflow stores and carries out what this
// returns, and `refund-desk replay` runs stored facts through it again.
//
// Order of evaluation (first decisive rule wins; the rules after it are listed as "skip"):
//   1. amount.refundable       nothing left to refund → rejected
//   2. usage.live_check        information only: whether live usage (M5) or recorded usage was used
//   3. risk.assessment         block → rejected (appeal offered); review → a person (M11, M12)
//   4. reason.troubleshoot     "cannot use" after the unconditional window → a guide before any
//                              refund (M10, M23); inside it any reason is refunded (M1)
//   5. lock.<kind>             key actions close self-service whatever the window (M4); within the
//                              windows a person's ticket at once (as M22), past them appeal offered
//   6. window.unconditional    within N minutes, any reason (M1)
//   7. window.conditional      within N hours, with condition.<kind> usage checks (M2); a failed
//                              condition is refused with a person's ticket at once (M22)
//      window.expired          past both windows → rejected, appeal offered (M3)
//   8. buyer.restricted        a restricted buyer's refund is decided by a person, in either window
//   9. allowance.trust_tier    conditional window only: past the tier's 30-day allowance → a person
//                              (M8); inside the unconditional window it is not applied (M1)
//  10. payment.route           no rail refunds the order's payment method here → a person refunds
//                              it by the original route (M20)
import type { DecisionFacts } from './facts.ts';
import { explain, type Bilingual, type ExplanationKey } from './explanations.ts';
import type { AllowanceTier, Policy, PolicyCondition, PolicyLock } from './policy-schema.ts';

export type Outcome = 'approved' | 'rejected' | 'review' | 'troubleshoot';

export interface RuleResult {
  id: string;
  result: 'pass' | 'fail' | 'skip' | 'info';
  detail: string;
}

/** The queue a person picks the case up from (handoff kinds). */
export type HandoffQueue = 'policy_review' | 'risk_review' | 'appeal';

export interface Decision {
  outcome: Outcome;
  rules: RuleResult[];
  policy: { id: string; version: number };
  explanation: Bilingual;
  /** The amount an approval refunds (what is left of the payment); 0 otherwise. */
  refundAmountMinor: number;
  /** The rule that decided. */
  decidedBy: string;
  /** True when the buyer is offered the human appeal path (every refusal). */
  appealOffered: boolean;
  /**
   * Whether a person takes the case: `now`, opened with the decision (a review; a refusal by the
   * conditional window's usage conditions, M22), or `on_appeal`, opened when the buyer takes the
   * appeal the refusal offers (M3, M4, a risk block). Null: no person.
   */
  handoff: { kind: HandoffQueue; when: 'now' | 'on_appeal' } | null;
}

const MINUTE = 60_000;
const pct = (share: number) => `${Math.round(share * 1000) / 10}%`;

function lockTriggered(lock: PolicyLock, facts: DecisionFacts): { triggered: boolean; detail: string } {
  const u = facts.usage;
  switch (lock.kind) {
    case 'course_progress': {
      const p = u.courseProgress ?? 0;
      return { triggered: p > lock.above, detail: `progress ${pct(p)} ${p > lock.above ? '>' : '≤'} lock at ${pct(lock.above)}` };
    }
    case 'key_revealed':
      return { triggered: u.keyRevealed, detail: u.keyRevealed ? 'key revealed' : 'key not revealed' };
    case 'key_copied':
      return { triggered: u.keyCopied, detail: u.keyCopied ? 'key copied' : 'key not copied' };
    case 'key_activated':
      return { triggered: u.keyActivated, detail: u.keyActivated ? 'key activated' : 'key not activated' };
    case 'file_downloaded':
      return { triggered: u.fileDownloaded, detail: u.fileDownloaded ? 'files downloaded' : 'files not downloaded' };
    case 'membership_activated':
      return { triggered: u.membershipActivated, detail: u.membershipActivated ? 'membership activated' : 'membership not activated' };
    case 'software_login':
      return { triggered: u.softwareLogin, detail: u.softwareLogin ? 'software logged in' : 'software not logged in' };
  }
}

function conditionHolds(condition: PolicyCondition, facts: DecisionFacts): { holds: boolean; detail: string } {
  const u = facts.usage;
  switch (condition.kind) {
    case 'course_progress_at_most': {
      const p = u.courseProgress ?? 0;
      return {
        holds: p <= condition.threshold,
        detail: `progress ${pct(p)} ${p <= condition.threshold ? '≤' : '>'} ${pct(condition.threshold)}`,
      };
    }
    case 'key_not_revealed':
      return { holds: !u.keyRevealed, detail: u.keyRevealed ? 'key revealed' : 'key not revealed' };
    case 'key_not_activated':
      return { holds: !u.keyActivated, detail: u.keyActivated ? 'key activated' : 'key not activated' };
    case 'file_not_downloaded':
      return { holds: !u.fileDownloaded, detail: u.fileDownloaded ? 'files downloaded' : 'files not downloaded' };
    case 'membership_not_activated':
      return { holds: !u.membershipActivated, detail: u.membershipActivated ? 'membership activated' : 'membership not activated' };
    case 'software_not_logged_in':
      return { holds: !u.softwareLogin, detail: u.softwareLogin ? 'software logged in' : 'software not logged in' };
  }
}

const lockId = (lock: PolicyLock) => `lock.${lock.kind}`;
const conditionId = (condition: PolicyCondition) => `condition.${condition.kind}`;

/** Every rule of a policy in evaluation order (window.expired is recorded only when it decides). */
export function ruleIds(policy: Policy): string[] {
  return [
    'amount.refundable',
    'usage.live_check',
    'risk.assessment',
    'reason.troubleshoot',
    ...policy.locks.map(lockId),
    'window.unconditional',
    'window.conditional',
    ...policy.conditions.map(conditionId),
    'buyer.restricted',
    'allowance.trust_tier',
    'payment.route',
  ];
}

export function decide(policy: Policy, facts: DecisionFacts): Decision {
  const rules: RuleResult[] = [];
  const refundable = Math.max(0, facts.order.amountMinor - facts.order.alreadyRefundedMinor);
  const ageMs = Math.max(0, Date.parse(facts.now) - Date.parse(facts.order.paidAt));
  const ageMinutes = Math.floor(ageMs / MINUTE);
  const hours = (ageMs / 3_600_000).toFixed(1);
  const onAppeal = { kind: 'appeal', when: 'on_appeal' } as const;

  const finish = (outcome: Outcome, decidedBy: string, key: ExplanationKey, handoff: Decision['handoff']): Decision => {
    const checked = new Set(rules.map((r) => r.id));
    for (const id of ruleIds(policy)) {
      if (!checked.has(id)) rules.push({ id, result: 'skip', detail: `not checked: decided by ${decidedBy}` });
    }
    const amount = outcome === 'approved' ? refundable : 0;
    return {
      outcome,
      rules,
      policy: { id: policy.id, version: policy.version },
      explanation: explain(key, facts, policy, amount),
      refundAmountMinor: amount,
      decidedBy,
      appealOffered: outcome === 'rejected',
      handoff,
    };
  };

  // 1. Something left to refund.
  if (refundable <= 0) {
    rules.push({
      id: 'amount.refundable',
      result: 'fail',
      detail: `paid ${facts.order.amountMinor}, already refunded ${facts.order.alreadyRefundedMinor}`,
    });
    return finish('rejected', 'amount.refundable', { kind: 'rejected_nothing_left' }, onAppeal);
  }
  rules.push({
    id: 'amount.refundable',
    result: 'pass',
    detail: `${refundable} of ${facts.order.amountMinor} ${facts.order.currency} refundable`,
  });

  // 2. Where the usage facts came from (M5).
  const live = facts.usage.liveCheck;
  rules.push({
    id: 'usage.live_check',
    result: 'info',
    detail:
      live.status === 'ok'
        ? 'usage confirmed by the live platform check'
        : live.status === 'failed'
          ? `live check failed (${live.detail ?? 'no answer'}); decided on recorded usage`
          : 'no live check configured; decided on recorded usage',
  });

  // 3. Risk.
  const signals = facts.risk.signals.map((s) => s.kind).join(', ') || 'none';
  if (facts.risk.action === 'block') {
    rules.push({ id: 'risk.assessment', result: 'fail', detail: `blocked by risk signals: ${signals}` });
    return finish('rejected', 'risk.assessment', { kind: 'rejected_risk' }, onAppeal);
  }
  if (facts.risk.action === 'review') {
    rules.push({ id: 'risk.assessment', result: 'fail', detail: `review required by risk signals: ${signals}` });
    return finish('review', 'risk.assessment', { kind: 'review_risk' }, { kind: 'risk_review', when: 'now' });
  }
  rules.push({ id: 'risk.assessment', result: 'pass', detail: `no blocking signal (signals: ${signals})` });

  // 4. A technical problem gets help before any refund, once the cooling-off window is over: inside
  // it, any reason is refunded at once (M1), "it doesn't work" included.
  const { unconditionalMinutes, conditionalHours } = policy.windows;
  const unconditional = ageMs <= unconditionalMinutes * MINUTE;
  if (facts.reason.code === 'cannot_use' && policy.troubleshootFirst && !facts.troubleshootingTried && !unconditional) {
    rules.push({ id: 'reason.troubleshoot', result: 'fail', detail: 'reason cannot_use: troubleshooting guide first' });
    return finish('troubleshoot', 'reason.troubleshoot', { kind: 'troubleshoot' }, null);
  }
  rules.push({
    id: 'reason.troubleshoot',
    result: 'pass',
    detail:
      facts.reason.code !== 'cannot_use'
        ? `reason ${facts.reason.code}`
        : facts.troubleshootingTried
          ? 'troubleshooting already tried for this order'
          : unconditional
            ? 'reason cannot_use inside the unconditional window: any reason'
            : 'reason cannot_use: no troubleshooting first under this policy',
  });

  // 5. Locks: any key action closes self-service, whatever the window.
  let firstLock: PolicyLock | undefined;
  for (const lock of policy.locks) {
    const { triggered, detail } = lockTriggered(lock, facts);
    rules.push({ id: lockId(lock), result: triggered ? 'fail' : 'pass', detail });
    firstLock ??= triggered ? lock : undefined;
  }
  if (firstLock) {
    // Inside the self-service windows a lock is the same story as M22 (the buyer used the good, and
    // asks within a day): a person looks at it straight away. Past them it is M3: the appeal is offered.
    const withinWindows = ageMs <= policy.windows.conditionalHours * 60 * MINUTE;
    return finish(
      'rejected',
      lockId(firstLock),
      { kind: 'rejected_lock', lock: firstLock.kind, ...(firstLock.kind === 'course_progress' ? { above: firstLock.above } : {}) },
      withinWindows ? { kind: 'appeal', when: 'now' } : onAppeal,
    );
  }

  // 6-7. Windows.
  let approvedKey: ExplanationKey;
  if (unconditional) {
    rules.push({ id: 'window.unconditional', result: 'pass', detail: `paid ${ageMinutes} min ago ≤ ${unconditionalMinutes} min` });
    for (const id of ['window.conditional', ...policy.conditions.map(conditionId)]) {
      rules.push({ id, result: 'skip', detail: 'not needed: inside the unconditional window' });
    }
    approvedKey = { kind: 'approved_unconditional', minutes: Math.max(1, ageMinutes) };
  } else {
    rules.push({ id: 'window.unconditional', result: 'fail', detail: `paid ${ageMinutes} min ago > ${unconditionalMinutes} min` });
    if (ageMs > conditionalHours * 60 * MINUTE) {
      rules.push({ id: 'window.conditional', result: 'fail', detail: `paid ${hours} h ago > ${conditionalHours} h` });
      for (const c of policy.conditions) rules.push({ id: conditionId(c), result: 'skip', detail: 'not needed: outside every window' });
      rules.push({ id: 'window.expired', result: 'fail', detail: 'past every self-service window: appeal to a person' });
      return finish('rejected', 'window.expired', { kind: 'rejected_expired' }, onAppeal);
    }
    rules.push({ id: 'window.conditional', result: 'pass', detail: `paid ${hours} h ago ≤ ${conditionalHours} h` });
    let failed: PolicyCondition | undefined;
    for (const condition of policy.conditions) {
      const { holds, detail } = conditionHolds(condition, facts);
      rules.push({ id: conditionId(condition), result: holds ? 'pass' : 'fail', detail });
      failed ??= holds ? undefined : condition;
    }
    if (failed) {
      // M22: the buyer used the good inside the window; a person looks at it straight away.
      return finish(
        'rejected',
        conditionId(failed),
        {
          kind: 'rejected_condition',
          condition: failed.kind,
          ...(failed.kind === 'course_progress_at_most' ? { threshold: failed.threshold } : {}),
        },
        { kind: 'appeal', when: 'now' },
      );
    }
    approvedKey = { kind: 'approved_conditional' };
  }
  const approvedBy = unconditional ? 'window.unconditional' : 'window.conditional';

  // 8. A restricted buyer gets no refund by the desk alone, in either window.
  if (facts.buyer.tier === 'restricted') {
    rules.push({ id: 'buyer.restricted', result: 'fail', detail: 'restricted buyer: a person decides every refund' });
    return finish('review', 'buyer.restricted', { kind: 'review_restricted' }, { kind: 'risk_review', when: 'now' });
  }
  rules.push({ id: 'buyer.restricted', result: 'pass', detail: `tier ${facts.buyer.tier}` });

  // 9. The trust tier's allowance, in the conditional window only: trust buys generosity there.
  const used = facts.buyer.autoRefunds30d;
  if (unconditional) {
    rules.push({
      id: 'allowance.trust_tier',
      result: 'skip',
      detail: `not applied inside the unconditional window (${used.count} refunds in 30 days)`,
    });
  } else {
    const tier = facts.buyer.tier as AllowanceTier;
    const allowance = policy.allowances[tier];
    const withinCount = used.count < allowance.maxCount;
    // The amount limit is in the policy's currency: an order in another one is held to the count alone.
    const amountApplies = allowance.maxAmountMinor !== null && facts.order.currency === policy.currency;
    const withinAmount = !amountApplies || used.amountMinor < allowance.maxAmountMinor!;
    const limit = `${allowance.maxCount} refunds${amountApplies ? ` and ${allowance.maxAmountMinor} ${policy.currency}` : allowance.maxAmountMinor === null ? '' : ` (the ${policy.currency} amount limit does not apply to a ${facts.order.currency} order)`}`;
    const detail = `tier ${tier}: ${used.count} earlier refunds (${used.amountMinor}) in 30 days; automatic below ${limit}`;
    if (!withinCount || !withinAmount) {
      rules.push({ id: 'allowance.trust_tier', result: 'fail', detail });
      return finish('review', 'allowance.trust_tier', { kind: 'review_allowance' }, { kind: 'policy_review', when: 'now' });
    }
    rules.push({ id: 'allowance.trust_tier', result: 'pass', detail });
  }

  // 10. A way back to the original payment (M20).
  const route = facts.refundRoute;
  if (route.rail === null) {
    rules.push({ id: 'payment.route', result: 'fail', detail: route.detail });
    return finish('review', 'payment.route', { kind: 'review_route' }, { kind: 'policy_review', when: 'now' });
  }
  rules.push({ id: 'payment.route', result: 'pass', detail: `${facts.order.paymentMethod} refunded by ${route.rail}` });
  return finish('approved', approvedBy, approvedKey, null);
}
