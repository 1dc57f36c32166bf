// A refund policy is data: a validated object with an id and a version, one preset per category,
// overridable per product (Product.policyId naming a stored RefundPolicy). Changing a policy means a
// new version, so every stored decision names the exact rules it was made under.
import { z } from 'zod';
import { PRODUCT_CATEGORIES } from '../domain/index.ts';
import { currencySchema } from '../domain/index.ts';

export const TRUST_TIERS = ['new', 'standard', 'trusted', 'restricted'] as const;
export type TrustTier = (typeof TRUST_TIERS)[number];

/** Key actions that close self-service for an order whatever the window (M4). */
export const LOCK_KINDS = [
  'key_revealed',
  'key_copied',
  'key_activated',
  'file_downloaded',
  'membership_activated',
  'software_login',
  'course_progress',
] as const;
export type LockKind = (typeof LOCK_KINDS)[number];

/** Usage conditions of the conditional window (M2). */
export const CONDITION_KINDS = [
  'course_progress_at_most',
  'key_not_activated',
  'key_not_revealed',
  'file_not_downloaded',
  'membership_not_activated',
  'software_not_logged_in',
] as const;
export type ConditionKind = (typeof CONDITION_KINDS)[number];

/**
 * What the policy refunds by itself in the conditional window (M8): a request is inside the
 * allowance while the buyer's refunds of the 30 days before it are fewer than `maxCount` and add up
 * to less than `maxAmountMinor`. It watches a buyer's pattern over a month, not the price of one
 * good: inside the conditional window the usage conditions already bound what a buyer can have
 * used, so a first refund is never sent to a person for its price alone.
 */
const allowance = z.strictObject({
  maxCount: z.number().int().min(0),
  /** Minor units of the policy's currency; null: the count alone limits. */
  maxAmountMinor: z.number().int().min(0).nullable(),
});

/**
 * The two windows (M1, M2). The conditional window must not end before the unconditional one;
 * `path` pins that failure to a field (a merchant's editor points at conditionalHours), else it is
 * reported on the windows as a whole.
 */
export function windowsSchema(path?: ['conditionalHours']) {
  return z
    .strictObject({
      /** M1: any reason within this many minutes of payment. */
      unconditionalMinutes: z
        .number()
        .int()
        .min(0)
        .max(7 * 24 * 60),
      /** M2: with the usage conditions, within this many hours of payment. */
      conditionalHours: z
        .number()
        .int()
        .min(0)
        .max(365 * 24),
    })
    .refine((w) => w.conditionalHours * 60 >= w.unconditionalMinutes, {
      message: path
        ? 'must not end before the unconditional window (conditionalHours × 60 ≥ unconditionalMinutes)'
        : 'the conditional window must not end before the unconditional one',
      ...(path ? { path } : {}),
    });
}

export const policySchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9._-]{1,63}$/),
  version: z.number().int().min(1),
  category: z.enum(PRODUCT_CATEGORIES),
  /** The currency of the policy's amounts (allowances); policies written before it had one are in yuan. */
  currency: currencySchema.default('CNY'),
  // A title is read in Telegram, Slack and the widget: one line, not a document.
  title: z.strictObject({ zh: z.string().min(1).max(120), en: z.string().min(1).max(120) }),
  windows: windowsSchema(),
  conditions: z.array(
    z.discriminatedUnion('kind', [
      z.strictObject({ kind: z.literal('course_progress_at_most'), threshold: z.number().min(0).max(1) }),
      z.strictObject({
        kind: z.enum(
          CONDITION_KINDS.filter((k) => k !== 'course_progress_at_most') as [
            Exclude<ConditionKind, 'course_progress_at_most'>,
            ...Exclude<ConditionKind, 'course_progress_at_most'>[],
          ],
        ),
      }),
    ]),
  ),
  locks: z.array(
    z.discriminatedUnion('kind', [
      z.strictObject({ kind: z.literal('course_progress'), above: z.number().min(0).max(1) }),
      z.strictObject({
        kind: z.enum(
          LOCK_KINDS.filter((k) => k !== 'course_progress') as [
            Exclude<LockKind, 'course_progress'>,
            ...Exclude<LockKind, 'course_progress'>[],
          ],
        ),
      }),
    ]),
  ),
  /** M10/M23: a "cannot use" reason gets a troubleshooting guide before any refund. */
  troubleshootFirst: z.boolean(),
  /**
   * M8: each tier's allowance in the conditional window; past it a person decides. Never applied
   * inside the unconditional window (M1). A restricted buyer has none: a person decides every
   * refund they would get (decide(): buyer.restricted), so `restricted` is only accepted, unused,
   * from policies written before that rule (version 1).
   */
  allowances: z.strictObject({
    new: allowance,
    standard: allowance,
    trusted: allowance,
    restricted: allowance.optional(),
  }),
});

/** The tiers that have an allowance (restricted buyers always meet a person). */
export type AllowanceTier = Exclude<TrustTier, 'restricted'>;

export type Policy = z.infer<typeof policySchema>;
export type PolicyCondition = Policy['conditions'][number];
export type PolicyLock = Policy['locks'][number];
