export { decide, type Decision, type Outcome, type RuleResult } from './decide.ts';
export { NO_USAGE, type DecisionFacts, type RiskSignal, type UsageFacts } from './facts.ts';
export { PRESETS, presetFor } from './presets.ts';
export { policySchema, TRUST_TIERS, type Policy, type TrustTier } from './policy-schema.ts';
export { renderPolicy, type RenderedPolicy } from './render-policy.ts';
export { APPEAL, type Bilingual } from './explanations.ts';
