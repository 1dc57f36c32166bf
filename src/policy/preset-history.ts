// Earlier versions of the category presets, exactly as they were enforced, so that a decision made
// under one replays under it (`refund-desk replay`). Never edit an entry here: a preset changes by a
// new version in presets.ts, and the version it replaces moves here unchanged.
// test/unit/policy/policy-registry.test.ts pins each entry's content.
import type { z } from 'zod';
import type { policySchema } from './policy-schema.ts';

type PolicyInput = z.input<typeof policySchema>;

// Version 1 (commit 0ce605a): allowances counted the request itself and applied in both windows.
const v1Allowances = {
  new: { maxCount: 1, maxAmountMinor: 10_000 },
  standard: { maxCount: 3, maxAmountMinor: 50_000 },
  trusted: { maxCount: 10, maxAmountMinor: 300_000 },
  restricted: { maxCount: 0, maxAmountMinor: 0 },
};
const v1Windows = { unconditionalMinutes: 15, conditionalHours: 24 };

export const PRESET_HISTORY: PolicyInput[] = [
  {
    id: 'course-default',
    version: 1,
    category: 'course',
    title: { zh: '课程类', en: 'online course' },
    windows: v1Windows,
    conditions: [{ kind: 'course_progress_at_most', threshold: 0.1 }],
    locks: [{ kind: 'course_progress', above: 0.3 }, { kind: 'file_downloaded' }],
    troubleshootFirst: true,
    allowances: v1Allowances,
  },
  {
    id: 'software-key-default',
    version: 1,
    category: 'software_key',
    title: { zh: '软件激活码类', en: 'software licence key' },
    windows: v1Windows,
    conditions: [{ kind: 'key_not_revealed' }, { kind: 'key_not_activated' }, { kind: 'software_not_logged_in' }],
    locks: [{ kind: 'key_copied' }, { kind: 'key_activated' }],
    troubleshootFirst: true,
    allowances: v1Allowances,
  },
  {
    id: 'membership-default',
    version: 1,
    category: 'membership',
    title: { zh: '会员充值类', en: 'membership' },
    windows: v1Windows,
    conditions: [{ kind: 'membership_not_activated' }],
    locks: [],
    troubleshootFirst: true,
    allowances: v1Allowances,
  },
  {
    id: 'template-default',
    version: 1,
    category: 'template',
    title: { zh: '设计模板类', en: 'design template' },
    windows: v1Windows,
    conditions: [{ kind: 'file_not_downloaded' }],
    locks: [{ kind: 'file_downloaded' }],
    troubleshootFirst: true,
    allowances: v1Allowances,
  },
];
