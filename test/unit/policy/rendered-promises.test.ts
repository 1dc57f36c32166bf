// M7 "agreed before, enforced after": the policy text a buyer reads promises exactly what decide()
// does. This test reads the rendered English rules back (numbers and conditions taken from the
// text, not from the policy object), derives from them what should happen to a request, and checks
// decide() against that over a grid: every category × ages either side of each boundary × usage ×
// tiers and their earlier refunds × reasons, and risk and the payment route on a smaller grid.
import { describe, expect, it } from 'vitest';
import { PRODUCT_CATEGORIES, type ProductCategory, type ReasonCode } from '../../../src/domain/catalog.ts';
import { decide, PRESETS, renderPolicy, TRUST_TIERS, type DecisionFacts, type Policy, type TrustTier } from '../../../src/policy/index.ts';
import { facts } from './facts-builder.ts';

type Usage = DecisionFacts['usage'];
type Test = (u: Usage) => boolean;

/** The words the policy uses for usage, and what each means about the facts. */
const LOCK_WORDS: Array<[RegExp, (m: RegExpMatchArray) => Test]> = [
  [/^watched more than (\d+)% of the course/, (m) => (u) => (u.courseProgress ?? 0) > Number(m[1]) / 100],
  [/^downloaded the full package or files/, () => (u) => u.fileDownloaded],
  [/^copied the licence key/, () => (u) => u.keyCopied],
  [/^activated the licence key/, () => (u) => u.keyActivated],
  [/^revealed the licence key/, () => (u) => u.keyRevealed],
  [/^activated the membership/, () => (u) => u.membershipActivated],
  [/^logged in to the software/, () => (u) => u.softwareLogin],
];
const CONDITION_WORDS: Array<[RegExp, (m: RegExpMatchArray) => Test]> = [
  [/^you have watched no more than (\d+)% of the course/, (m) => (u) => (u.courseProgress ?? 0) <= Number(m[1]) / 100],
  [/^the licence key has not been revealed/, () => (u) => !u.keyRevealed],
  [/^the licence key has not been activated/, () => (u) => !u.keyActivated],
  [/^you have not logged in to the software/, () => (u) => !u.softwareLogin],
  [/^the files have not been downloaded/, () => (u) => !u.fileDownloaded],
  [/^the membership has not been activated/, () => (u) => !u.membershipActivated],
];

/** Reads "A, B, or C" (or "A and B") into the tests its phrases name; fails on a phrase it does not know. */
function readList(text: string, words: typeof LOCK_WORDS): Test[] {
  const tests: Test[] = [];
  let rest = text;
  while (rest.length > 0) {
    const known = words.map(([re, make]) => [rest.match(re), make] as const).find(([m]) => m);
    if (!known) throw new Error(`unknown words in the policy text: "${rest}"`);
    const [m, make] = known;
    tests.push(make(m!));
    rest = rest.slice(m![0].length).replace(/^(, and |, or |, | and | or )/, '');
  }
  return tests;
}

interface Allowance {
  count: number;
  amountMinor: number | null;
}

interface Promises {
  unconditionalMinutes: number;
  conditionalHours: number;
  locks: Test[];
  conditions: Test[];
  conditionFailureTicket: boolean;
  troubleshootAfterMinutes: number | null;
  allowanceFromMinutes: number;
  allowances: Record<Exclude<TrustTier, 'restricted'>, Allowance | 'none'>;
  newAccountDays: number;
  restrictedToPerson: boolean;
  riskToPerson: boolean;
  routeToPerson: boolean;
}

function readAllowance(clause: string): Allowance | 'none' {
  if (clause === 'a person decides every request') return 'none';
  const m = clause.match(/^a person decides once the account has had (\d+) refunds?(?: or CN¥([\d,]+)\.(\d\d) refunded)?$/);
  if (!m) throw new Error(`unknown allowance words: "${clause}"`);
  return { count: Number(m[1]), amountMinor: m[2] ? Number(m[2].replace(/,/g, '')) * 100 + Number(m[3]) : null };
}

/** What the English text of a policy promises, read from its words. */
function readPromises(policy: Policy): Promises {
  const rules = new Map(renderPolicy(policy, 'en').rules.map((r) => [r.id, r.text]));
  const text = (id: string) => {
    const t = rules.get(id);
    if (!t) throw new Error(`the policy text has no rule ${id}`);
    return t;
  };
  const u = text('window.unconditional').match(
    /^Within (\d+) minutes of payment, you get a refund for any reason, at once and whatever your refund allowance(?:, unless you have (.+?))? \(restricted accounts and requests with unusual activity: see below\)\.$/,
  );
  const c = text('window.conditional').match(
    /^From (\d+) minutes to (\d+) hours after payment, you get a refund(?: if (.+), within| within) your refund allowance(; if not, self-service refund is refused and your request goes to a person at once)?\.$/,
  );
  const e = text('window.expired').match(
    /^After (\d+) hours there is no self-service refund; for special cases you can appeal to a person\.$/,
  );
  const a = text('allowance.trust_tier').match(
    /^Refund allowance, from (\d+) minutes after payment only, counting refunds in the last 30 days: for most accounts, (.+); for new accounts \(registered less than (\d+) days ago\), (.+); for long-standing accounts \(.+\), (.+)\.$/,
  );
  if (!u || !c || !e || !a) throw new Error(`the policy text is not what this test reads: ${[...rules.values()].join(' | ')}`);
  const locks = u[2] ? readList(u[2], LOCK_WORDS) : [];
  // The locks rule lists the same key actions as the cooling-off window's exception.
  const lockRule = rules
    .get('locks')
    ?.match(
      /^Whatever the time, self-service refund closes once you have (.+); within (\d+) hours of payment your request goes to a person at once, after that you can appeal to a person\.$/,
    );
  expect(lockRule?.[1] ?? null).toBe(u[2] ?? null);
  if (lockRule) expect(Number(lockRule[2])).toBe(Number(c[2]));
  expect(Number(c[1])).toBe(Number(u[1]));
  expect(Number(e[1])).toBe(Number(c[2]));
  const troubleshoot = rules
    .get('reason.troubleshoot')
    ?.match(/and you ask more than (\d+) minutes after payment, we first help you fix it/);
  return {
    unconditionalMinutes: Number(u[1]),
    conditionalHours: Number(c[2]),
    locks,
    conditions: c[3] ? readList(c[3], CONDITION_WORDS) : [],
    conditionFailureTicket: c[4] !== undefined,
    troubleshootAfterMinutes: troubleshoot ? Number(troubleshoot[1]) : null,
    allowanceFromMinutes: Number(a[1]),
    allowances: { standard: readAllowance(a[2]!), new: readAllowance(a[4]!), trusted: readAllowance(a[5]!) },
    newAccountDays: Number(a[3]),
    restrictedToPerson: /a person decides every refund, at any time\.$/.test(text('buyer.restricted')),
    riskToPerson: /go to a person, or self-service refund is refused and you can appeal\.$/.test(text('risk.assessment')),
    routeToPerson: /a person returns the money the same way\.$/.test(text('payment.route')),
  };
}

interface Expected {
  outcome: 'approved' | 'rejected' | 'review' | 'troubleshoot';
  /** when a person takes it: now, on the buyer's appeal, or never */
  person: 'now' | 'on_appeal' | null;
}

/** What the words promise for one request. */
function promised(p: Promises, f: DecisionFacts): Expected {
  const ageMs = Date.parse(f.now) - Date.parse(f.order.paidAt);
  if (f.risk.action === 'block') return { outcome: 'rejected', person: 'on_appeal' };
  if (f.risk.action === 'review' && p.riskToPerson) return { outcome: 'review', person: 'now' };
  if (
    p.troubleshootAfterMinutes !== null &&
    f.reason.code === 'cannot_use' &&
    !f.troubleshootingTried &&
    ageMs > p.troubleshootAfterMinutes * 60_000
  ) {
    return { outcome: 'troubleshoot', person: null };
  }
  if (p.locks.some((t) => t(f.usage)))
    return { outcome: 'rejected', person: ageMs <= p.conditionalHours * 3_600_000 ? 'now' : 'on_appeal' };
  const inside = ageMs <= p.unconditionalMinutes * 60_000;
  if (!inside) {
    if (ageMs > p.conditionalHours * 3_600_000) return { outcome: 'rejected', person: 'on_appeal' };
    if (!p.conditions.every((t) => t(f.usage))) return { outcome: 'rejected', person: p.conditionFailureTicket ? 'now' : 'on_appeal' };
  }
  if (f.buyer.tier === 'restricted' && p.restrictedToPerson) return { outcome: 'review', person: 'now' };
  if (!inside && ageMs > p.allowanceFromMinutes * 60_000 && f.buyer.tier !== 'restricted') {
    const a = p.allowances[f.buyer.tier];
    const used = f.buyer.autoRefunds30d;
    if (a === 'none' || used.count >= a.count || (a.amountMinor !== null && used.amountMinor >= a.amountMinor))
      return { outcome: 'review', person: 'now' };
  }
  if (f.refundRoute.rail === null && p.routeToPerson) return { outcome: 'review', person: 'now' };
  return { outcome: 'approved', person: null };
}

const SECOND = 1_000;
const MIN = 60 * SECOND;
const HOUR = 60 * MIN;
const AGES = [MIN, 15 * MIN - SECOND, 15 * MIN, 15 * MIN + SECOND, 2 * HOUR, 24 * HOUR - SECOND, 24 * HOUR, 24 * HOUR + SECOND, 72 * HOUR];
const USAGES: Array<Partial<Usage>> = [
  {},
  { courseProgress: 0.05 },
  { courseProgress: 0.1 },
  { courseProgress: 0.1001 },
  { courseProgress: 0.3 },
  { courseProgress: 0.3001 },
  { courseProgress: 0.9 },
  { keyRevealed: true },
  { keyRevealed: true, keyCopied: true },
  { keyRevealed: true, keyActivated: true },
  { softwareLogin: true },
  { fileDownloaded: true },
  { membershipActivated: true },
];
const USED = [
  { count: 0, amountMinor: 0 },
  { count: 1, amountMinor: 0 },
  { count: 2, amountMinor: 49_999 },
  { count: 3, amountMinor: 0 },
  { count: 0, amountMinor: 50_000 },
  { count: 9, amountMinor: 299_999 },
  { count: 10, amountMinor: 0 },
  { count: 0, amountMinor: 300_000 },
];
const REASONS: Array<{ reason: ReasonCode; troubleshootingTried: boolean }> = [
  { reason: 'changed_mind', troubleshootingTried: false },
  { reason: 'cannot_use', troubleshootingTried: false },
  { reason: 'cannot_use', troubleshootingTried: true },
];

function check(policy: Policy, promises: Promises, f: DecisionFacts): string | null {
  const d = decide(policy, f);
  const want = promised(promises, f);
  const got = { outcome: d.outcome, person: d.handoff?.when ?? null };
  return got.outcome === want.outcome && got.person === want.person
    ? null
    : `${JSON.stringify(f)}: the text promises ${JSON.stringify(want)}, decide() gave ${JSON.stringify(got)} (${d.decidedBy})`;
}

describe.each(PRODUCT_CATEGORIES)('the %s policy text and decide() agree', (category: ProductCategory) => {
  const policy = PRESETS[category];
  const promises = readPromises(policy);

  it('on every age either side of each boundary × usage × tier and earlier refunds × reason', () => {
    const wrong: string[] = [];
    let n = 0;
    for (const ageMs of AGES)
      for (const usage of USAGES)
        for (const tier of TRUST_TIERS)
          for (const used of USED)
            for (const { reason, troubleshootingTried } of REASONS) {
              n += 1;
              const problem = check(policy, promises, facts({ category, ageMs, usage, tier, used, reason, troubleshootingTried }));
              if (problem) wrong.push(problem);
            }
    expect(n).toBe(AGES.length * USAGES.length * TRUST_TIERS.length * USED.length * REASONS.length);
    expect(wrong.slice(0, 5)).toEqual([]);
  });

  it('with risk signals and with no rail for the payment method', () => {
    const wrong: string[] = [];
    const risks: Array<DecisionFacts['risk']> = [
      { action: 'allow', signals: [] },
      { action: 'review', signals: [{ kind: 'ring', action: 'review', detail: '3 linked accounts' }] },
      { action: 'block', signals: [{ kind: 'velocity.device.block', action: 'block', detail: '6 orders' }] },
    ];
    for (const ageMs of AGES)
      for (const usage of USAGES)
        for (const tier of TRUST_TIERS)
          for (const risk of risks)
            for (const rail of ['sandbox', null]) {
              const problem = check(policy, promises, facts({ category, ageMs, usage, tier, risk, rail }));
              if (problem) wrong.push(problem);
            }
    expect(wrong.slice(0, 5)).toEqual([]);
  });

  it('says the same numbers in Chinese as in English', () => {
    const numbers = (lang: 'zh' | 'en') => new Set(renderPolicy(policy, lang).text.match(/\d+(?:[.,]\d+)*/g));
    expect([...numbers('zh')].sort()).toEqual([...numbers('en')].sort());
  });
});

describe('the text follows the policy data', () => {
  it('reads a changed policy back with its own numbers (so the text is not a fixed string)', () => {
    const custom: Policy = {
      ...PRESETS.course,
      id: 'course-long',
      version: 1,
      windows: { unconditionalMinutes: 30, conditionalHours: 48 },
      conditions: [{ kind: 'course_progress_at_most', threshold: 0.2 }],
      locks: [{ kind: 'course_progress', above: 0.5 }],
      allowances: {
        new: { maxCount: 2, maxAmountMinor: 20_000 },
        standard: { maxCount: 0, maxAmountMinor: null },
        trusted: { maxCount: 5, maxAmountMinor: null },
      },
    };
    const p = readPromises(custom);
    expect(p).toMatchObject({
      unconditionalMinutes: 30,
      conditionalHours: 48,
      allowanceFromMinutes: 30,
      allowances: { new: { count: 2, amountMinor: 20_000 }, standard: 'none', trusted: { count: 5, amountMinor: null } },
    });
    const wrong: string[] = [];
    for (const ageMs of [29 * MIN, 31 * MIN, 47 * HOUR, 49 * HOUR])
      for (const usage of USAGES)
        for (const tier of TRUST_TIERS)
          for (const used of USED) {
            const problem = check(custom, p, facts({ ageMs, usage, tier, used }));
            if (problem) wrong.push(problem);
          }
    expect(wrong.slice(0, 5)).toEqual([]);
  });
});
