// Issue 17: each boundary of the presets, either side, for every category and every trust tier:
// 15 minutes (the cooling-off window is unconditional: no allowance, no usage condition inside it),
// 24 hours (the conditional window ends, the appeal is offered), and the usage thresholds (10 %
// watched for courses; each category's own condition), plus the cases the issue names.
import { describe, expect, it } from 'vitest';
import { PRODUCT_CATEGORIES, type ProductCategory } from '../../../src/domain/catalog.ts';
import { decide, PRESETS, TRUST_TIERS, type AllowanceTier, type DecisionFacts } from '../../../src/policy/index.ts';
import { facts } from './facts-builder.ts';

const SECOND = 1_000;
const MIN = 60 * SECOND;
const HOUR = 60 * MIN;

/** Usage that fails the conditional window's conditions without tripping a lock, where the category has one. */
const USED_NOT_LOCKED: Record<ProductCategory, Partial<DecisionFacts['usage']> | null> = {
  course: { courseProgress: 0.2 },
  software_key: { keyRevealed: true },
  membership: { membershipActivated: true },
  template: null, // its one condition (not downloaded) is also its lock
};

/** A buyer whose allowance for the conditional window is used up. */
function exhausted(category: ProductCategory, tier: AllowanceTier) {
  const a = PRESETS[category].allowances[tier];
  return { count: a.maxCount, amountMinor: 0 };
}

describe.each(PRODUCT_CATEGORIES.flatMap((category) => TRUST_TIERS.map((tier) => ({ category, tier }))))(
  '$category, $tier buyer',
  ({ category, tier }) => {
    const policy = PRESETS[category];
    const restricted = tier === 'restricted';
    const at = (ageMs: number, over: Parameters<typeof facts>[0] = {}) => decide(policy, facts({ category, tier, ageMs, ...over }));
    const person = { outcome: 'review', decidedBy: 'buyer.restricted' };

    it('15 minutes: approved at exactly 15:00 whatever was used or refunded before; past it, the conditions and the allowance apply', () => {
      const usage = USED_NOT_LOCKED[category];
      if (usage) {
        expect(at(15 * MIN, { usage })).toMatchObject(restricted ? person : { outcome: 'approved', decidedBy: 'window.unconditional' });
        expect(at(15 * MIN + SECOND, { usage })).toMatchObject({ outcome: 'rejected', handoff: { kind: 'appeal', when: 'now' } });
      }
      if (!restricted) {
        const used = exhausted(category, tier);
        expect(at(15 * MIN, { used })).toMatchObject({ outcome: 'approved', decidedBy: 'window.unconditional' });
        expect(at(15 * MIN + SECOND, { used })).toMatchObject({ outcome: 'review', decidedBy: 'allowance.trust_tier' });
      } else {
        expect(at(15 * MIN + SECOND)).toMatchObject(person);
      }
    });

    it('24 hours: approved at exactly 24:00 when nothing was used; past it refused, with the appeal offered and no ticket', () => {
      expect(at(24 * HOUR)).toMatchObject(restricted ? person : { outcome: 'approved', decidedBy: 'window.conditional' });
      expect(at(24 * HOUR + SECOND)).toMatchObject({
        outcome: 'rejected',
        decidedBy: 'window.expired',
        appealOffered: true,
        handoff: { kind: 'appeal', when: 'on_appeal' },
      });
    });

    it('the usage threshold: at it the conditional window approves, just past it refuses with a ticket (M22)', () => {
      const two = 2 * HOUR;
      if (category === 'course') {
        expect(at(two, { usage: { courseProgress: 0.1 } })).toMatchObject(restricted ? person : { outcome: 'approved' });
        expect(at(two, { usage: { courseProgress: 0.1001 } })).toMatchObject({
          outcome: 'rejected',
          decidedBy: 'condition.course_progress_at_most',
          handoff: { kind: 'appeal', when: 'now' },
        });
        // and the 30 % lock, either side, inside the cooling-off window
        expect(at(5 * MIN, { usage: { courseProgress: 0.3 } })).toMatchObject(restricted ? person : { outcome: 'approved' });
        expect(at(5 * MIN, { usage: { courseProgress: 0.3001 } })).toMatchObject({
          outcome: 'rejected',
          decidedBy: 'lock.course_progress',
          handoff: { kind: 'appeal', when: 'now' },
        });
        expect(at(24 * HOUR + SECOND, { usage: { courseProgress: 0.3001 } })).toMatchObject({
          outcome: 'rejected',
          decidedBy: 'lock.course_progress',
          handoff: { kind: 'appeal', when: 'on_appeal' },
        });
      }
      for (const condition of policy.conditions.filter((c) => c.kind !== 'course_progress_at_most')) {
        const usage = {
          key_not_revealed: { keyRevealed: true },
          key_not_activated: { keyActivated: true },
          software_not_logged_in: { softwareLogin: true },
          membership_not_activated: { membershipActivated: true },
          file_not_downloaded: { fileDownloaded: true },
        }[condition.kind];
        const used = at(two, { usage });
        // A lock on the same action (a download, an activated key) closes self-service before the
        // condition is read; inside the windows both refuse with a ticket at once (M22).
        const lock = policy.locks.find((l) => used.decidedBy === `lock.${l.kind}`);
        expect(used).toMatchObject(
          lock
            ? { outcome: 'rejected', handoff: { when: 'now' } }
            : { outcome: 'rejected', decidedBy: `condition.${condition.kind}`, handoff: { when: 'now' } },
        );
        expect(at(two)).toMatchObject(restricted ? person : { outcome: 'approved' });
      }
    });
  },
);

describe('the cases issue 17 names', () => {
  it('a first purchase above ¥100 by a new account, asked back at 5 minutes, is approved with no person', () => {
    const d = decide(PRESETS.course, facts({ minutesAgo: 5, tier: 'new', amountMinor: 19_900 }));
    expect(d).toMatchObject({ outcome: 'approved', decidedBy: 'window.unconditional', refundAmountMinor: 19_900, handoff: null });
  });

  it('a restricted buyer at 5 minutes goes to a person', () => {
    for (const category of PRODUCT_CATEGORIES) {
      expect(decide(PRESETS[category], facts({ category, minutesAgo: 5, tier: 'restricted' }))).toMatchObject({
        outcome: 'review',
        handoff: { kind: 'risk_review', when: 'now' },
      });
    }
  });

  it("a new account's first refund in the conditional window is approved whatever its price; the second meets a person", () => {
    expect(
      decide(PRESETS.software_key, facts({ category: 'software_key', minutesAgo: 180, tier: 'new', amountMinor: 89_900 })).outcome,
    ).toBe('approved');
    expect(
      decide(PRESETS.software_key, facts({ category: 'software_key', minutesAgo: 180, tier: 'new', used: { count: 1, amountMinor: 900 } }))
        .decidedBy,
    ).toBe('allowance.trust_tier');
  });
});
