// A policy as a merchant writes it (PUT /v1/policies/{id}, a what-if draft): the policy's rules
// without the id and version the desk gives it. Every check names the field it fails on, so a
// merchant's editor can point at it; the vocabulary is the presets' (policy-schema.ts).
import { z } from 'zod';
import { policySchema, type Policy, windowsSchema } from './policy-schema.ts';

const shape = policySchema.shape;

/** The rules of a policy: what a draft carries and what a stored version holds besides its id and version. */
export const policyRulesSchema = z.strictObject({
  category: shape.category,
  currency: shape.currency,
  title: shape.title,
  // The presets' windows, with the "conditional ends after unconditional" check pinned to the
  // field a merchant would change (the preset schema reports it on `windows` as a whole).
  windows: windowsSchema(['conditionalHours']),
  conditions: shape.conditions,
  locks: shape.locks,
  troubleshootFirst: shape.troubleshootFirst,
  // A merchant's policy names every tier that has an allowance; restricted buyers always meet a
  // person (decide(): buyer.restricted), so a restricted allowance would say something untrue.
  allowances: shape.allowances.omit({ restricted: true }),
});
export type PolicyRules = z.infer<typeof policyRulesSchema>;

/** The body of PUT /v1/policies/{id}: the rules and the merchant that owns them. */
export const policyBodySchema = policyRulesSchema.extend({ merchantId: z.string().min(1).max(128) });
export type PolicyBody = z.infer<typeof policyBodySchema>;

export const policyIdSchema = shape.id;

/** The version a draft gets when it is decided with (never stored: stored versions start at 1). */
export const DRAFT_VERSION = 0;

/** A policy from rules already checked by policyRulesSchema (stricter than policySchema), as version `version`. */
export function policyOf(id: string, version: number, rules: PolicyRules): Policy {
  return { ...rules, id, version };
}

/** The rules of a stored policy, without its id and version, for comparing with a new body. */
export function rulesOf(policy: Policy): PolicyRules {
  const { id: _id, version: _version, allowances, ...rest } = policy;
  return { ...rest, allowances: { new: allowances.new, standard: allowances.standard, trusted: allowances.trusted } };
}

/** JSON with object keys sorted: two policies that say the same thing give the same text. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    return `{${entries
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Whether two sets of rules are the same policy (order of conditions and locks counts: it is the trace's order). */
export function sameRules(a: PolicyRules, b: PolicyRules): boolean {
  return canonical(a) === canonical(b);
}
