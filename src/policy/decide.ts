// decide(policy, facts) → Decision. Pure: no clock, no database, no randomness. The same policy
// version and facts always give the same decision (M19), and every rule checked is in the trace, in
// the order it was checked.
//
// Order of evaluation (first decisive rule wins; later rules are still listed as "skip"):
//   1. amount.refundable       nothing left to refund → rejected
//   2. usage.live_check        information only: whether live usage (M5) or recorded usage was used
//   3. risk.assessment         block → rejected (appeal offered); review → review (M11, M12)
//   4. reason.troubleshoot     "cannot use" → a guide before any refund (M10, M23)
//   5. lock.<kind>             key actions close self-service whatever the window (M4)
//   6. window.unconditional    within N minutes, any reason (M1)
//   7. window.conditional      within N hours, with condition.<kind> usage checks (M2)
//   8. window.expired          past the windows → rejected, appeal offered (M3)
//   9. allowance.trust_tier    an approval beyond the tier's 30-day allowance → review (M8)
import type { DecisionFacts } from './facts.ts';
import { explain, type Bilingual, type ExplanationKey } from './explanations.ts';
import type { Policy, PolicyCondition, PolicyLock } from './policy-schema.ts';

export type Outcome = 'approved' | 'rejected' | 'review' | 'troubleshoot';

export interface RuleResult {
  id: string;
  result: 'pass' | 'fail' | 'skip' | 'info';
  detail: string;
}

export interface Decision {
  outcome: Outcome;
  rules: RuleResult[];
  policy: { id: string; version: number };
  explanation: Bilingual;
  /** The amount an approval refunds (what is left of the payment); 0 otherwise. */
  refundAmountMinor: number;
  /** The rule that decided. */
  decidedBy: string;
  /** True when the buyer is offered the human appeal path. */
  appealOffered: boolean;
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
      return { holds: p <= condition.threshold, detail: `progress ${pct(p)} ${p <= condition.threshold ? '≤' : '>'} ${pct(condition.threshold)}` };
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

export function decide(policy: Policy, facts: DecisionFacts): Decision {
  const rules: RuleResult[] = [];
  const refundable = Math.max(0, facts.order.amountMinor - facts.order.alreadyRefundedMinor);
  const ageMs = Math.max(0, Date.parse(facts.now) - Date.parse(facts.order.paidAt));
  const ageMinutes = Math.floor(ageMs / MINUTE);

  const finish = (outcome: Outcome, decidedBy: string, key: ExplanationKey, remaining: string[]): Decision => {
    for (const id of remaining) rules.push({ id, result: 'skip', detail: `not checked: decided by ${decidedBy}` });
    const amount = outcome === 'approved' ? refundable : 0;
    return {
      outcome,
      rules,
      policy: { id: policy.id, version: policy.version },
      explanation: explain(key, facts, policy, amount),
      refundAmountMinor: amount,
      decidedBy,
      appealOffered: outcome === 'rejected',
    };
  };

  // The ids of every rule after a given point, for the "skip" entries of an early decision.
  const later = (from: 'risk' | 'reason' | 'locks' | 'windows' | 'allowance'): string[] => {
    const ids: string[] = [];
    const order = ['risk', 'reason', 'locks', 'windows', 'allowance'];
    const start = order.indexOf(from);
    if (start <= 0) ids.push('risk.assessment');
    if (start <= 1) ids.push('reason.troubleshoot');
    if (start <= 2) ids.push(...policy.locks.map(lockId));
    if (start <= 3) ids.push('window.unconditional', 'window.conditional', ...policy.conditions.map(conditionId));
    ids.push('allowance.trust_tier');
    return ids;
  };

  // 1. Something left to refund.
  if (refundable <= 0) {
    rules.push({ id: 'amount.refundable', result: 'fail', detail: `paid ${facts.order.amountMinor}, already refunded ${facts.order.alreadyRefundedMinor}` });
    return finish('rejected', 'amount.refundable', { kind: 'rejected_nothing_left' }, later('risk'));
  }
  rules.push({ id: 'amount.refundable', result: 'pass', detail: `${refundable} of ${facts.order.amountMinor} ${facts.order.currency} refundable` });

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
    return finish('rejected', 'risk.assessment', { kind: 'rejected_risk' }, later('reason'));
  }
  if (facts.risk.action === 'review') {
    rules.push({ id: 'risk.assessment', result: 'fail', detail: `review required by risk signals: ${signals}` });
    return finish('review', 'risk.assessment', { kind: 'review_risk' }, later('reason'));
  }
  rules.push({ id: 'risk.assessment', result: 'pass', detail: `no blocking signal (signals: ${signals})` });

  // 4. A technical problem gets help before any refund.
  if (facts.reason.code === 'cannot_use' && policy.troubleshootFirst && !facts.troubleshootingTried) {
    rules.push({ id: 'reason.troubleshoot', result: 'fail', detail: 'reason cannot_use: troubleshooting guide first' });
    return finish('troubleshoot', 'reason.troubleshoot', { kind: 'troubleshoot' }, later('locks'));
  }
  rules.push({
    id: 'reason.troubleshoot',
    result: 'pass',
    detail: facts.reason.code === 'cannot_use' ? 'troubleshooting already tried for this order' : `reason ${facts.reason.code}`,
  });

  // 5. Locks: any key action closes self-service, whatever the window.
  let firstLock: PolicyLock | undefined;
  for (const lock of policy.locks) {
    const { triggered, detail } = lockTriggered(lock, facts);
    rules.push({ id: lockId(lock), result: triggered ? 'fail' : 'pass', detail });
    firstLock ??= triggered ? lock : undefined;
  }
  if (firstLock) {
    return finish(
      'rejected',
      lockId(firstLock),
      { kind: 'rejected_lock', lock: firstLock.kind, ...(firstLock.kind === 'course_progress' ? { above: firstLock.above } : {}) },
      later('windows'),
    );
  }

  // 6-8. Windows.
  const { unconditionalMinutes, conditionalHours } = policy.windows;
  let approvedBy: 'window.unconditional' | 'window.conditional';
  let approvedKey: ExplanationKey;
  if (ageMs <= unconditionalMinutes * MINUTE) {
    rules.push({ id: 'window.unconditional', result: 'pass', detail: `paid ${ageMinutes} min ago ≤ ${unconditionalMinutes} min` });
    for (const id of ['window.conditional', ...policy.conditions.map(conditionId)]) {
      rules.push({ id, result: 'skip', detail: 'not needed: inside the unconditional window' });
    }
    approvedBy = 'window.unconditional';
    approvedKey = { kind: 'approved_unconditional', minutes: Math.max(1, ageMinutes) };
  } else {
    rules.push({ id: 'window.unconditional', result: 'fail', detail: `paid ${ageMinutes} min ago > ${unconditionalMinutes} min` });
    if (ageMs > conditionalHours * 60 * MINUTE) {
      rules.push({ id: 'window.conditional', result: 'fail', detail: `paid ${(ageMs / 3_600_000).toFixed(1)} h ago > ${conditionalHours} h` });
      for (const c of policy.conditions) rules.push({ id: conditionId(c), result: 'skip', detail: 'not needed: outside every window' });
      rules.push({ id: 'window.expired', result: 'fail', detail: 'past every self-service window: appeal to a person' });
      return finish('rejected', 'window.expired', { kind: 'rejected_expired' }, ['allowance.trust_tier']);
    }
    rules.push({ id: 'window.conditional', result: 'pass', detail: `paid ${(ageMs / 3_600_000).toFixed(1)} h ago ≤ ${conditionalHours} h` });
    let failed: PolicyCondition | undefined;
    for (const condition of policy.conditions) {
      const { holds, detail } = conditionHolds(condition, facts);
      rules.push({ id: conditionId(condition), result: holds ? 'pass' : 'fail', detail });
      failed ??= holds ? undefined : condition;
    }
    if (failed) {
      return finish(
        'rejected',
        conditionId(failed),
        { kind: 'rejected_condition', condition: failed.kind, ...(failed.kind === 'course_progress_at_most' ? { threshold: failed.threshold } : {}) },
        ['allowance.trust_tier'],
      );
    }
    approvedBy = 'window.conditional';
    approvedKey = { kind: 'approved_conditional' };
  }

  // 9. The trust tier's automatic allowance.
  const allowance = policy.allowances[facts.buyer.tier];
  const used = facts.buyer.autoRefunds30d;
  const withinCount = used.count + 1 <= allowance.maxCount;
  const withinAmount = used.amountMinor + refundable <= allowance.maxAmountMinor;
  const allowanceDetail = `tier ${facts.buyer.tier}: ${used.count + 1}/${allowance.maxCount} refunds, ${used.amountMinor + refundable}/${allowance.maxAmountMinor} in 30 days`;
  if (!withinCount || !withinAmount) {
    rules.push({ id: 'allowance.trust_tier', result: 'fail', detail: allowanceDetail });
    return finish('review', 'allowance.trust_tier', { kind: 'review_allowance' }, []);
  }
  rules.push({ id: 'allowance.trust_tier', result: 'pass', detail: allowanceDetail });
  return finish('approved', approvedBy, approvedKey, []);
}
