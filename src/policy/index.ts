export { decide, ruleIds, type Decision, type HandoffQueue, type Outcome, type RuleResult } from './decide.ts';
export { NO_USAGE, storedFactsSchema, type DecisionFacts, type RefundRoute, type RiskSignal, type UsageFacts } from './facts.ts';
export { PRESETS, PRESET_VERSIONS, currentPreset, presetFor, presetVersion } from './presets.ts';
export { policySchema, TRUST_TIERS, type AllowanceTier, type Policy, type TrustTier } from './policy-schema.ts';
export { renderPolicy, type RenderedPolicy } from './render-policy.ts';
export { APPEAL, type Bilingual } from './explanations.ts';
export { TIER_THRESHOLDS, tierOf, type TierInputs } from './trust-tiers.ts';
export {
  DRAFT_VERSION,
  type PolicyBody,
  policyBodySchema,
  policyIdSchema,
  policyOf,
  policyRulesSchema,
  rulesOf,
  sameRules,
} from './policy-definition.ts';
