// Category presets (M6), as data, and the registry of every preset version ever enforced. A change
// to a preset's content is a new version: the one it replaces moves to preset-history.ts unchanged,
// so stored decisions replay under the version they were made with.
//
// Why each number:
// - Windows, every category: 15 minutes is the article's cooling-off period (M1: any reason, refunded
//   at once); 24 hours its conditional window (M2). What differs per category is what counts as
//   "used" (conditions, checked only in the conditional window) and what consumes the good outright
//   (locks, checked whatever the window, M4).
// - course: watching at most 10 % keeps the 24-hour window open (M2, and M22's threshold). Past 30 %
//   (the article's "configured share", three times the sampling threshold: three lessons of a
//   typical ten) or once the full materials package is downloaded, the course is consumed, so
//   self-service closes even inside 15 minutes (M4).
// - software_key: a copied or activated key is delivered for good (it can be used elsewhere), so
//   both lock at once, even inside 15 minutes. A key only revealed on screen still gets the
//   cooling-off window but not the conditional one, nor does a login to the software.
// - membership: activation is what a membership is; inside 15 minutes it may still be refunded (access
//   is revoked with the refund, so nothing stays with the buyer); after that an activated membership
//   is used.
// - template: a downloaded file is a copy the buyer keeps, so download locks at once.
// - troubleshootFirst: "cannot use" is a problem to fix before it is a refund (M10, M23).
// - Allowances (M8), in the conditional window only (never inside the cooling-off window, M1), per
//   rolling 30 days, counting the buyer's refunds before this request (src/policy/policy-schema.ts):
//   - new (account under 7 days, trust-tiers.ts): 1 refund. A young account's first refund is
//     automatic whatever the price, since the usage conditions bound what it can have used; a
//     second one while the account is still new is the buy-use-refund pattern of throwaway accounts
//     (the article's "新注册、频繁发起退款的用户"), so a person looks. An amount adds nothing to a
//     count of one.
//   - standard: 3 refunds or ¥500. More than three refunds in a month is more than an ordinary
//     buyer's bad luck; ¥500 is five of the platform's typical ¥99 courses: once a buyer has had
//     that much back in a month, a person looks at the next request.
//   - trusted (180+ days, 5+ orders a year, ≤ 10 % refunded): 10 refunds or ¥3,000. Their history
//     makes a busy month unlikely to be abuse; the bound caps what even a taken-over trusted
//     account could get back by itself in a month.
//   - restricted: none; a person decides every refund they would get (decide(): buyer.restricted).
//   Past the allowance the request goes to a person, never to a silent no.
import { policySchema, type Policy } from './policy-schema.ts';
import { PRESET_HISTORY } from './preset-history.ts';
import type { ProductCategory } from '../domain/index.ts';

const allowances: Policy['allowances'] = {
  new: { maxCount: 1, maxAmountMinor: null },
  standard: { maxCount: 3, maxAmountMinor: 50_000 },
  trusted: { maxCount: 10, maxAmountMinor: 300_000 },
};
const windows = { unconditionalMinutes: 15, conditionalHours: 24 };

// Version 2: the cooling-off window is unconditional (no allowance inside it), allowances count
// earlier refunds only, restricted buyers meet a person by their own rule, the payment route is a rule.
export const PRESETS: Record<ProductCategory, Policy> = {
  course: policySchema.parse({
    id: 'course-default',
    version: 2,
    category: 'course',
    currency: 'CNY',
    title: { zh: '课程类', en: 'online course' },
    windows,
    conditions: [{ kind: 'course_progress_at_most', threshold: 0.1 }],
    locks: [{ kind: 'course_progress', above: 0.3 }, { kind: 'file_downloaded' }],
    troubleshootFirst: true,
    allowances,
  }),
  software_key: policySchema.parse({
    id: 'software-key-default',
    version: 2,
    category: 'software_key',
    currency: 'CNY',
    title: { zh: '软件激活码类', en: 'software licence key' },
    windows,
    conditions: [{ kind: 'key_not_revealed' }, { kind: 'key_not_activated' }, { kind: 'software_not_logged_in' }],
    locks: [{ kind: 'key_copied' }, { kind: 'key_activated' }],
    troubleshootFirst: true,
    allowances,
  }),
  membership: policySchema.parse({
    id: 'membership-default',
    version: 2,
    category: 'membership',
    currency: 'CNY',
    title: { zh: '会员充值类', en: 'membership' },
    windows,
    conditions: [{ kind: 'membership_not_activated' }],
    locks: [],
    troubleshootFirst: true,
    allowances,
  }),
  template: policySchema.parse({
    id: 'template-default',
    version: 2,
    category: 'template',
    currency: 'CNY',
    title: { zh: '设计模板类', en: 'design template' },
    windows,
    conditions: [{ kind: 'file_not_downloaded' }],
    locks: [{ kind: 'file_downloaded' }],
    troubleshootFirst: true,
    allowances,
  }),
};

export function presetFor(category: ProductCategory): Policy {
  return PRESETS[category];
}

/** Every preset version ever enforced: the current ones and their history. */
export const PRESET_VERSIONS: readonly Policy[] = [...PRESET_HISTORY.map((p) => policySchema.parse(p)), ...Object.values(PRESETS)];

/** The preset with this id and version, as it was enforced; undefined when there never was one. */
export function presetVersion(id: string, version: number): Policy | undefined {
  return PRESET_VERSIONS.find((p) => p.id === id && p.version === version);
}

/** The current version of the preset with this id (a product may name a preset by id). */
export function currentPreset(id: string): Policy | undefined {
  return Object.values(PRESETS).find((p) => p.id === id);
}
