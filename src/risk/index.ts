// The risk module's entry: what other modules may use of it (test/unit/architecture.test.ts).
export { buyerProfile, profileOf } from './buyer-profile.ts';
export { isBuyersAddress } from './links.ts';
export { RefundMonitor, type SpikeAlert } from './refund-monitor.ts';
export type { FirstEvidence, RiskAssessor } from './risk-assessor.ts';
export { profileSql, type ProfileRow } from './risk-store.ts';
export { RiskService } from './risk-service.ts';
