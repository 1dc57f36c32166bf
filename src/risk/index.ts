// The risk module's entry: what other modules may use of it (test/unit/architecture.test.ts).
export { buyerProfile } from './buyer-profile.ts';
export { isBuyersAddress } from './links.ts';
export { RefundMonitor, type SpikeAlert } from './refund-monitor.ts';
export type { RiskAssessor } from './risk-assessor.ts';
export { RiskService } from './risk-service.ts';
