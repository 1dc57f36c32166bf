// The refund workflow's hot-path writes as single SQL statements. A statement whose data-modifying
// CTEs insert the request, its decision, the pending refund, the handoff and the buyer's notice is
// atomic by itself (no BEGIN/COMMIT round trips), and costs a fraction of the ORM calls it replaces:
// this is what every refund request pays. Rare paths (failures, cancels) use the Prisma client.
import { createHash } from 'node:crypto';
import type { LedgerChange } from '../commission/ledger-change.ts';
import { ledgerChangeCtes } from '../commission/ledger-store.ts';
import { SqlParams } from '../store/sql-params.ts';

export interface Statement {
  text: string;
  values: unknown[];
  /** A stable name per distinct text, so the server keeps it prepared. */
  name: string;
}

const named = (text: string, values: unknown[]): Statement => ({ text, values, name: `rd_${createHash('sha1').update(text).digest('hex').slice(0, 16)}` });

export interface BuyerNoticeRow {
  id: string;
  kind: string;
  locale: string;
  title: string;
  body: string;
  data: Record<string, unknown>;
  dedupeKey: string;
}

export interface DecisionRows {
  now: Date;
  request: {
    id: string;
    orderId: string;
    productId: string;
    buyerId: string;
    status: string;
    outcome: string;
    reasonCode: string;
    reasonText: string | null;
    channel: string;
    deviceId: string | null;
    ip: string | null;
    idempotencyKey: string | null;
    activeOrderKey: string | null;
    policyId: string;
    policyVersion: number;
    closedAt: Date | null;
  };
  decision: { id: string; decidedBy: string; facts: unknown; rules: unknown; explanationZh: string; explanationEn: string };
  fingerprintId: string | null;
  refund: { id: string; amountMinor: number; currency: string; paymentMethod: string; transactionId: string } | null;
  handoff: { id: string; kind: string; reason: string } | null;
  notice: BuyerNoticeRow;
  /** The freeze (and, for a refusal, the release) of the order's commissions. */
  commissions: LedgerChange;
  /** Risk signals that fired on this request, with their evidence. */
  riskSignals: Array<{ id: string; kind: string; action: string; evidence: Record<string, unknown> }>;
}

/** Inserts a decided request with everything that goes with it; returns the request id. */
export function insertDecisionStatement(r: DecisionRows): Statement {
  const p = new SqlParams();
  const q = r.request;
  const now = p.utc(r.now);
  const requestId = p.add(q.id, 'text');
  const orderId = p.add(q.orderId, 'text');
  const buyerId = p.add(q.buyerId, 'text');
  const outcome = p.add(q.outcome, '"DecisionOutcome"');
  const policyId = p.add(q.policyId, 'text');
  const policyVersion = p.add(q.policyVersion, 'int');
  const parts = [
    `req AS (
      INSERT INTO refund_requests (id, "orderId", "productId", "buyerId", status, outcome, "reasonCode", "reasonText", channel, "deviceId", ip,
        "idempotencyKey", "activeOrderKey", "policyId", "policyVersion", "createdAt", "updatedAt", "closedAt")
      VALUES (${requestId}, ${orderId}, ${p.add(q.productId, 'text')}, ${buyerId}, ${p.add(q.status, '"RefundRequestStatus"')}, ${outcome}, ${p.add(q.reasonCode, '"ReasonCode"')},
        ${p.add(q.reasonText, 'text')}, ${p.add(q.channel, 'text')}, ${p.add(q.deviceId, 'text')}, ${p.add(q.ip, 'text')},
        ${p.add(q.idempotencyKey, 'text')}, ${p.add(q.activeOrderKey, 'text')}, ${policyId}, ${policyVersion}, ${now}, ${now}, ${p.utc(q.closedAt)})
      RETURNING id)`,
    `dec AS (
      INSERT INTO decisions (id, "refundRequestId", actor, outcome, "decidedBy", facts, rules, "explanationZh", "explanationEn", "policyId", "policyVersion", "createdAt")
      SELECT ${p.add(r.decision.id, 'text')}, req.id, 'policy', ${outcome}, ${p.add(r.decision.decidedBy, 'text')}, ${p.json(r.decision.facts)}, ${p.json(r.decision.rules)},
        ${p.add(r.decision.explanationZh, 'text')}, ${p.add(r.decision.explanationEn, 'text')}, ${policyId}, ${policyVersion}, ${now} FROM req)`,
    `nt AS (${noticeInsert(p, buyerId, r.notice, now, 'req')})`,
  ];
  if (r.fingerprintId) {
    parts.push(`fp AS (
      INSERT INTO fingerprints (id, "buyerId", "deviceId", ip, source, "refId", at, "createdAt")
      SELECT ${p.add(r.fingerprintId, 'text')}, ${buyerId}, ${p.add(q.deviceId, 'text')}, ${p.add(q.ip, 'text')}, 'refund_request', req.id, ${now}, ${now} FROM req)`);
  }
  if (r.refund) {
    // The recorded intent, written before the gateway is ever called; the attempt is counted with it
    // because the call follows as soon as this commits.
    parts.push(`rf AS (
      INSERT INTO refunds (id, "refundRequestId", "orderId", "amountMinor", currency, "paymentMethod", "transactionId", status, attempts, "createdAt", "updatedAt")
      SELECT ${p.add(r.refund.id, 'text')}, req.id, ${orderId}, ${p.add(r.refund.amountMinor, 'int')}, ${p.add(r.refund.currency, 'text')},
        ${p.add(r.refund.paymentMethod, '"PaymentMethod"')}, ${p.add(r.refund.transactionId, 'text')}, 'pending', 1, ${now}, ${now} FROM req)`);
  }
  if (r.handoff) {
    parts.push(`ho AS (
      INSERT INTO handoffs (id, "refundRequestId", "buyerId", "orderId", kind, status, reason, "createdAt", "updatedAt")
      SELECT ${p.add(r.handoff.id, 'text')}, req.id, ${buyerId}, ${orderId}, ${p.add(r.handoff.kind, '"HandoffKind"')}, 'open',
        ${p.add(r.handoff.reason, 'text')}, ${now}, ${now} FROM req)`);
  }
  if (r.riskSignals.length > 0) {
    parts.push(`rs AS (
      INSERT INTO risk_signals (id, kind, "subjectType", "subjectId", "refundRequestId", action, evidence, "createdAt")
      SELECT x.id, x.kind, 'refund_request', req.id, req.id, x.action, x.evidence, ${now}
      FROM req, jsonb_to_recordset(${p.json(r.riskSignals)}) AS x(id text, kind text, action text, evidence jsonb))`);
  }
  parts.push(...ledgerChangeCtes(p, r.commissions, now, 'req'));
  return named(`WITH ${parts.join(',\n')}\nSELECT id FROM req`, p.values);
}

function noticeInsert(p: SqlParams, recipient: string, n: BuyerNoticeRow, now: string, from: string): string {
  return `INSERT INTO notifications (id, "recipientId", "recipientKind", kind, locale, title, body, data, "dedupeKey", "createdAt")
      SELECT ${p.add(n.id, 'text')}, ${recipient}, 'buyer', ${p.add(n.kind, 'text')}, ${p.add(n.locale, 'text')}, ${p.add(n.title, 'text')},
        ${p.add(n.body, 'text')}, ${p.json(n.data)}, ${p.add(n.dedupeKey, 'text')}, ${now} FROM ${from}
      ON CONFLICT ("dedupeKey") DO NOTHING`;
}

export interface SucceededRows {
  now: Date;
  refundId: string;
  gatewayRef: string;
  requestId: string;
  buyerId: string;
  notice: BuyerNoticeRow;
  outbox: { id: string; topic: string; payload: Record<string, unknown>; dedupeKey: string };
  /** The commissions' reversal or claw-back (and release of what a partial refund leaves). */
  commissions: LedgerChange;
}

/**
 * Settles a pending refund as succeeded, closes its request, tells the buyer and queues the access
 * revocation — all or nothing, and only if the refund was still pending (`settled` is 0 otherwise).
 */
export function refundSucceededStatement(r: SucceededRows): Statement {
  const p = new SqlParams();
  const now = p.utc(r.now);
  const text = `WITH rf AS (
      UPDATE refunds SET status = 'succeeded', "gatewayRef" = ${p.add(r.gatewayRef, 'text')}, "settledAt" = ${now}, "lastError" = NULL, "updatedAt" = ${now}
      WHERE id = ${p.add(r.refundId, 'text')} AND status = 'pending' RETURNING id),
    rr AS (
      UPDATE refund_requests SET status = 'refunded', "closedAt" = ${now}, "updatedAt" = ${now}
      WHERE id = ${p.add(r.requestId, 'text')} AND EXISTS (SELECT 1 FROM rf) RETURNING id),
    nt AS (${noticeInsert(p, p.add(r.buyerId, 'text'), r.notice, now, 'rf')}),
    ob AS (
      INSERT INTO outbox_messages (id, topic, payload, "dedupeKey", status, attempts, "availableAt", "createdAt")
      SELECT ${p.add(r.outbox.id, 'text')}, ${p.add(r.outbox.topic, 'text')}, ${p.json(r.outbox.payload)}, ${p.add(r.outbox.dedupeKey, 'text')},
        'pending', 0, ${now}, ${now} FROM rf
      ON CONFLICT ("dedupeKey") DO NOTHING)${ledgerChangeCtes(p, r.commissions, now, 'rf').map((c) => `,\n    ${c}`).join('')}
    SELECT (SELECT count(*) FROM rf)::int AS settled`;
  return named(text, p.values);
}
