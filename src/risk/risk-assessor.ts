// The seam between refunds and risk control: a refund request's risk action with its signals
// (src/risk/risk-service.ts implements it). The refund workflow depends on this interface only.
import type { DecisionFacts } from '../policy/index.ts';

export interface RiskInput {
  buyerId: string;
  orderId: string;
  productId: string;
  deviceId: string | null;
  ip: string | null;
  now: Date;
}

export interface RiskAssessor {
  assess(input: RiskInput): Promise<DecisionFacts['risk']>;
}
