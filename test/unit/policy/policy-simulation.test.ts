// The what-if replay's pure parts: a stored decision's "person at once" read back from its row
// agrees with decide()'s handoff for every kind of case; the tally counts outcomes, money and
// changes as decide() would; and the definition schema's sameness ignores key order only.
import { describe, expect, it } from 'vitest';
import { decide, PRESETS, type Policy } from '../../../src/policy/index.ts';
import { policyOf, policyRulesSchema, rulesOf, sameRules } from '../../../src/policy/policy-definition.ts';
import { personAtOnce, SimulationTally } from '../../../src/refunds/policy-simulation.ts';
import { facts } from './facts-builder.ts';

const MIN = 60;
const cases = [
  { minutesAgo: 5 },
  { minutesAgo: 5, usage: { courseProgress: 0.5 } },
  { minutesAgo: 120, usage: { courseProgress: 0.2 } },
  { minutesAgo: 120, usage: { courseProgress: 0.5 } },
  { minutesAgo: 30 * MIN, usage: { courseProgress: 0.5 } },
  { minutesAgo: 30 * MIN },
  { minutesAgo: 120, reason: 'cannot_use' as const },
  { minutesAgo: 120, tier: 'restricted' as const },
  { minutesAgo: 120, used: { count: 5, amountMinor: 0 } },
  { minutesAgo: 120, risk: { action: 'block' as const, signals: [] } },
  { minutesAgo: 120, risk: { action: 'review' as const, signals: [] } },
  { minutesAgo: 120, rail: null },
  { minutesAgo: 120, alreadyRefundedMinor: 9900 },
];

describe('personAtOnce', () => {
  it.each(cases.map((c, i) => [i, c] as const))('agrees with decide() on case %i', (_i, over) => {
    for (const policy of [PRESETS.course, { ...PRESETS.course, windows: { unconditionalMinutes: 30, conditionalHours: 48 } }]) {
      const f = facts(over);
      const d = decide(policy, f);
      expect(personAtOnce(d.outcome, d.decidedBy, f, policy)).toBe(d.handoff?.when === 'now');
    }
  });
});

describe('SimulationTally', () => {
  const row = (outcome: string, decidedBy: string, f: ReturnType<typeof facts>, n: number) => ({
    id: `dc_${n}`,
    refundRequestId: `rr_${n}`,
    outcome,
    decidedBy,
    facts: f,
    policyId: 'course-default',
    policyVersion: 2,
    createdAt: new Date(),
  });

  it('counts a stored version over its own decisions as unchanged, and a stricter draft as the changes it makes', () => {
    const all = cases.map((c) => facts(c));
    const same = new SimulationTally(PRESETS.course);
    all.forEach((f, n) => {
      const d = decide(PRESETS.course, f);
      same.add(row(d.outcome, d.decidedBy, f, n), PRESETS.course);
    });
    const r = same.report({ from: new Date(0), to: new Date(1) }, 2);
    expect(r).toMatchObject({ requests: cases.length, changed: 0, examples: [] });
    expect(r.before).toEqual(r.after);
    expect(r.automationShare.before).toBe(r.automationShare.after);

    // Nothing refunded past 10 minutes without the tenth of a percent: only the 5-minute requests still approved.
    const strict: Policy = { ...PRESETS.course, version: 0, windows: { unconditionalMinutes: 10, conditionalHours: 1 } };
    const tally = new SimulationTally(strict);
    all.forEach((f, n) => {
      const d = decide(PRESETS.course, f);
      tally.add(row(d.outcome, d.decidedBy, f, n), PRESETS.course);
    });
    const s = tally.report({ from: new Date(0), to: new Date(1) }, 'draft');
    const expectedAfter = all.map((f) => decide(strict, f).outcome);
    expect(s.after.approved).toBe(expectedAfter.filter((o) => o === 'approved').length);
    expect(s.changed).toBe(all.filter((f, i) => decide(PRESETS.course, f).outcome !== expectedAfter[i]).length);
    expect(s.changed).toBeGreaterThan(0);
    expect(s.after.refundedMinor).toBe(s.after.approved * 9900);
    expect(s.examples[0]).toMatchObject({ requestId: expect.stringMatching(/^rr_/), rule: expect.any(String) });
  });

  it('skips a decision whose facts cannot be read', () => {
    const tally = new SimulationTally(PRESETS.course);
    expect(tally.add(row('approved', 'window.unconditional', { now: 'yesterday' } as never, 1), PRESETS.course)).toBeNull();
    expect(tally.report({ from: new Date(0), to: new Date(1) }, 'draft')).toMatchObject({
      requests: 0,
      skipped: 1,
      automationShare: { before: null, after: null },
    });
  });
});

describe('policy definitions', () => {
  const rules = rulesOf(PRESETS.course);
  it('reads a preset back as the same rules, whatever the key order', () => {
    const { windows, ...rest } = rules;
    expect(
      sameRules(rules, {
        windows: { conditionalHours: windows.conditionalHours, unconditionalMinutes: windows.unconditionalMinutes },
        ...rest,
      }),
    ).toBe(true);
    expect(sameRules(rules, { ...rules, windows: { ...windows, conditionalHours: 25 } })).toBe(false);
    // The order of locks is the order of the trace: another order is another policy.
    expect(sameRules({ ...rules, locks: [...rules.locks].reverse() }, rules)).toBe(false);
    expect(policyOf('x', 3, rules)).toMatchObject({ id: 'x', version: 3, category: 'course' });
  });
  it('refuses a restricted allowance (restricted buyers always meet a person)', () => {
    const r = policyRulesSchema.safeParse({
      ...rules,
      allowances: { ...rules.allowances, restricted: { maxCount: 1, maxAmountMinor: null } },
    });
    expect(r.success).toBe(false);
  });
});
