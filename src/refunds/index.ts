// The refunds module's entry: what other modules may use of it (test/unit/architecture.test.ts).
export { type Agent, AgentDecisions, type AgentOutcome, REJECTION_TEMPLATES, type RejectionTemplate } from './agent-decisions.ts';
export { resolvePolicy } from './policy-resolver.ts';
export { PaymentNotices } from './provider-notices.ts';
export { appealBodySchema, cancelBodySchema, refundRequestBodySchema } from './refund-schemas.ts';
export { CANCELLABLE_STATUSES, isClosed, isDecidable, isPaid } from './refund-states.ts';
export type { RefundRequestView } from './refund-view.ts';
export { RefundWorkflow } from './refund-workflow.ts';
export { policyVersionOf } from './policy-resolver.ts';
export { simulatePolicy } from './policy-simulation.ts';
export {
  attachPolicy,
  checkAttachable,
  currentPolicy,
  isAttachable,
  policyVersions,
  putPolicy,
  type StoredPolicy,
} from './policy-store.ts';
