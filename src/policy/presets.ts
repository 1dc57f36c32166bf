// Category presets (M6). Why these defaults:
// - Every category keeps the 15-minute cooling-off window of M1 and the 24-hour conditional window of
//   M2; what differs is what counts as "used" (conditions) and what consumes the good outright (locks).
// - course: watching ≤ 10 % keeps the 24-hour window open (M2, M22). Watching past 30 % or downloading
//   the full materials package is consumption, so it locks self-service even inside 15 minutes (M4).
// - software_key: a copied or activated key is delivered for good (it can be used elsewhere), so both
//   lock at once, even inside 15 minutes. A key only revealed on screen still gets the cooling-off
//   window, but not the conditional one.
// - membership: activation is what a membership is; inside 15 minutes it may still be refunded (access
//   is revoked with the refund), after that an activated membership is used.
// - template: a downloaded file is a copy the buyer keeps, so download locks at once.
// - Allowances (M8, per rolling 30 days, minor units of the order's currency, here fen): a new account
//   gets one small automatic refund; a trusted buyer (long history, few refunds) gets more; a
//   restricted one gets none and always meets a person. Past the allowance the request goes to review,
//   never to a silent no.
import { policySchema, type Policy } from './policy-schema.ts';
import type { ProductCategory } from '../domain/catalog.ts';

const allowances: Policy['allowances'] = {
  new: { maxCount: 1, maxAmountMinor: 10_000 },
  standard: { maxCount: 3, maxAmountMinor: 50_000 },
  trusted: { maxCount: 10, maxAmountMinor: 300_000 },
  restricted: { maxCount: 0, maxAmountMinor: 0 },
};
const windows = { unconditionalMinutes: 15, conditionalHours: 24 };

export const PRESETS: Record<ProductCategory, Policy> = {
  course: policySchema.parse({
    id: 'course-default',
    version: 1,
    category: 'course',
    title: { zh: '课程类', en: 'online course' },
    windows,
    conditions: [{ kind: 'course_progress_at_most', threshold: 0.1 }],
    locks: [{ kind: 'course_progress', above: 0.3 }, { kind: 'file_downloaded' }],
    troubleshootFirst: true,
    allowances,
  }),
  software_key: policySchema.parse({
    id: 'software-key-default',
    version: 1,
    category: 'software_key',
    title: { zh: '软件激活码类', en: 'software licence key' },
    windows,
    conditions: [{ kind: 'key_not_revealed' }, { kind: 'key_not_activated' }, { kind: 'software_not_logged_in' }],
    locks: [{ kind: 'key_copied' }, { kind: 'key_activated' }],
    troubleshootFirst: true,
    allowances,
  }),
  membership: policySchema.parse({
    id: 'membership-default',
    version: 1,
    category: 'membership',
    title: { zh: '会员充值类', en: 'membership' },
    windows,
    conditions: [{ kind: 'membership_not_activated' }],
    locks: [],
    troubleshootFirst: true,
    allowances,
  }),
  template: policySchema.parse({
    id: 'template-default',
    version: 1,
    category: 'template',
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
