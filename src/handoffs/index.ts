// The handoffs module: opening a case for a person, its life on the agents' desk, and the ticket's read model.
export { openHandoff, type HandoffKind } from './handoffs.ts';
export { HandoffLifecycle, POST_LEASE_MS, type ClaimResult, type HandoffLifecycleDeps, type TicketThread } from './handoff-lifecycle.ts';
export { loadTicket, type TicketApproval, type TicketData } from './ticket-view.ts';
export {
  cancelWaitingApprovals,
  SecondApprovals,
  secondApprovalLimit,
  type ProposeResult,
  type SecondApprovalLimits,
  type SettleResult,
  type WaitingApproval,
} from './second-approval.ts';
