// The seam between refunds and risk control: a refund request's risk action with its signals. The
// velocity, fingerprint and ring rules of M11/M12 plug in here (issue 5); until then no rule runs and
// every request is "allow" with no signals, which the decision trace shows.
import type { DecisionFacts } from '../policy/facts.ts';

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

export const noRiskRules: RiskAssessor = {
  async assess() {
    return { action: 'allow', signals: [] };
  },
};
