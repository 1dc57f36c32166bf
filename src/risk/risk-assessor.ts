// The seam between refunds and risk control: a refund request's risk action with its signals
// (src/risk/risk-service.ts implements it). The refund workflow depends on this interface only.
import type { DecisionFacts } from '../policy/index.ts';
import type { SqlParams } from '../store/index.ts';
import type { FirstEvidence, SubjectRefs } from './risk-store.ts';

export type { FirstEvidence, SubjectRefs };

export interface RiskInput {
  buyerId: string;
  orderId: string;
  productId: string;
  deviceId: string | null;
  ip: string | null;
  now: Date;
  /** The evidence assessing starts from, when the caller read it in its own statement (firstEvidenceSql). */
  first?: FirstEvidence;
}

export interface RiskAssessor {
  assess(input: RiskInput): Promise<DecisionFacts['risk']>;
  /**
   * The evidence every assessment starts from (requests from the device and IP, the requester's
   * neighbours) as one SQL json expression over the caller's parameters (`refs`), so a caller that
   * reads other rows anyway reads it in the same round trip and hands it back as `input.first`.
   */
  firstEvidenceSql(p: SqlParams, refs: SubjectRefs, now: Date): string;
}
