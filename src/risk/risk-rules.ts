// Risk rules (M11, M12), pure: evidence in, an action out with every signal that led there. Rules
// run in a fixed, documented order, as Stripe Radar's do: blocking rules first (the first that fires
// decides), then review rules; with none, the request is allowed. Every rule that fires is a signal
// with its evidence, even when an earlier one already decided.
//
//   1. velocity.device.block   ≥ deviceRefundsBlock orders bought or refunded from one device and
//                              asked to refund in the window
//   2. velocity.ip.block       ≥ ipRefundsBlock such orders from one IP
//   3. ring                    ≥ ringAccounts linked accounts bought and asked to refund the same
//                              product within the window (src/risk/links.ts)
//   4. velocity.device.accounts ≥ deviceAccountsReview accounts asked for refunds from one device
//   5. velocity.device         ≥ deviceRefundsReview such orders from one device
//   6. velocity.ip             ≥ ipRefundsReview such orders from one IP
// Counts are of distinct orders and include the one being assessed: a buyer asking twice about one
// order is not two buy-then-refunds. One account's own refund count is the trust allowance's concern
// (src/policy/presets.ts), so the device review starts above what one honest buyer does in a day.
// An IP's thresholds are higher than a device's because households, offices and carriers share IPs.
import { DEFAULT_RISK_THRESHOLDS, riskThresholdsSchema, type RiskThresholds } from '../config.ts';

export { DEFAULT_RISK_THRESHOLDS, riskThresholdsSchema, type RiskThresholds };
import type { RiskSignal } from '../policy/index.ts';
import type { Link } from './links.ts';

export interface PastRequest {
  requestId: string;
  orderId: string;
  buyerId: string;
}

export interface RiskEvidence {
  buyerId: string;
  orderId: string;
  productId: string;
  device: { id: string; earlier: PastRequest[] } | null;
  ip: { address: string; earlier: PastRequest[] } | null;
  ring: { accounts: string[]; links: Link[]; requests: PastRequest[] } | null;
}

export interface RiskAssessment {
  action: 'allow' | 'review' | 'block';
  signals: RiskSignal[];
}

export function evaluateRisk(e: RiskEvidence, t: RiskThresholds): RiskAssessment {
  const signals: RiskSignal[] = [];
  const window = `${t.windowHours} h`;
  const withCurrent = (earlier: PastRequest[]) => [...earlier, { requestId: '(this request)', orderId: e.orderId, buyerId: e.buyerId }];
  const orders = (all: PastRequest[]) => [...new Set(all.map((r) => r.orderId))];

  if (e.device) {
    const all = withCurrent(e.device.earlier);
    const accounts = [...new Set(all.map((r) => r.buyerId))];
    const refunded = orders(all);
    const evidence = { deviceId: e.device.id, window, orders: refunded, accounts, requests: all.map((r) => r.requestId) };
    if (refunded.length >= t.deviceRefundsBlock) {
      signals.push({
        kind: 'velocity.device.block',
        action: 'block',
        detail: `${refunded.length} orders refunded or asked to refund from device ${e.device.id} in ${window}`,
        evidence,
      });
    } else if (refunded.length >= t.deviceRefundsReview) {
      signals.push({
        kind: 'velocity.device',
        action: 'review',
        detail: `${refunded.length} orders refunded or asked to refund from device ${e.device.id} in ${window}`,
        evidence,
      });
    }
    if (accounts.length >= t.deviceAccountsReview) {
      signals.push({
        kind: 'velocity.device.accounts',
        action: 'review',
        detail: `${accounts.length} accounts asked for refunds from device ${e.device.id} in ${window}`,
        evidence,
      });
    }
  }
  if (e.ip) {
    const all = withCurrent(e.ip.earlier);
    const refunded = orders(all);
    const evidence = {
      ip: e.ip.address,
      window,
      orders: refunded,
      accounts: [...new Set(all.map((r) => r.buyerId))],
      requests: all.map((r) => r.requestId),
    };
    if (refunded.length >= t.ipRefundsBlock) {
      signals.push({
        kind: 'velocity.ip.block',
        action: 'block',
        detail: `${refunded.length} orders refunded or asked to refund from IP ${e.ip.address} in ${window}`,
        evidence,
      });
    } else if (refunded.length >= t.ipRefundsReview) {
      signals.push({
        kind: 'velocity.ip',
        action: 'review',
        detail: `${refunded.length} orders refunded or asked to refund from IP ${e.ip.address} in ${window}`,
        evidence,
      });
    }
  }
  if (e.ring) {
    signals.push({
      kind: 'ring',
      action: 'review',
      detail: `${e.ring.accounts.length} linked accounts bought and asked to refund product ${e.productId} within ${window}`,
      evidence: {
        productId: e.productId,
        window,
        accounts: e.ring.accounts,
        links: e.ring.links.map((l) => ({ accounts: [l.a, l.b], weight: l.weight, reasons: l.reasons })),
        requests: e.ring.requests,
      },
    });
  }
  // Blocking rules first, then review rules, in the documented order.
  const order = ['velocity.device.block', 'velocity.ip.block', 'ring', 'velocity.device.accounts', 'velocity.device', 'velocity.ip'];
  signals.sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind));
  const action = signals.some((s) => s.action === 'block') ? 'block' : signals.length > 0 ? 'review' : 'allow';
  return { action, signals };
}
