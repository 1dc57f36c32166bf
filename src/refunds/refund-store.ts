// The one writer of refund requests, decisions, refunds, the handoffs a refund opens or closes, and the
// buyer's notices about them (issue 19): the workflow, agents' decisions, appeals and withdrawals all
// write through these functions, so a rule about a row is made once. Callers own the transactions;
// each function here takes the client or transaction it writes with.
//
// The hot path's two writes are single SQL statements: one whose data-modifying CTEs insert the
// request, its decision, the pending refund, the handoff and the buyer's notice is atomic by itself
// (no BEGIN/COMMIT round trips) and costs a fraction of the ORM calls it replaces: this is what every
// refund request pays. Rare paths (failures, cancels, agents) use the Prisma client, except the
// buyer's notice, which is the same INSERT everywhere.
import type { LedgerChange } from '../commission/index.ts';
import { ledgerChangeCtes, ledgerChangeShape } from '../commission/index.ts';
import type { Locale } from '../domain/index.ts';
import type { Prisma } from '../generated/prisma/client.ts';
import { newId } from '../ids.ts';
import { enqueue, type OutboxItem } from '../outbox/index.ts';
import type { PrismaClient } from '../store/index.ts';
import { SqlParams, shapedStatement } from '../store/index.ts';
import type { SqlRunner } from '../store/index.ts';
import { buyerNotice, type BuyerNoticeKind } from './buyer-notices.ts';

type Db = PrismaClient | Prisma.TransactionClient;

export interface Statement {
  text: string;
  values: unknown[];
  /** A stable name per distinct text, so the server keeps it prepared. */
  name: string;
}

/** A hot-path statement: its text is the one first built for its shape (shapedStatement). */
const shaped = (shape: string, text: string, values: unknown[]): Statement => ({ ...shapedStatement(shape, text), values });

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
  const shape = `decided:${r.fingerprintId ? 'fp' : ''}${r.refund ? 'rf' : ''}${r.handoff ? 'ho' : ''}${r.riskSignals.length > 0 ? 'rs' : ''}:${ledgerChangeShape(r.commissions)}`;
  return shaped(shape, `WITH ${parts.join(',\n')}\nSELECT id FROM req`, p.values);
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
      ON CONFLICT ("dedupeKey") DO NOTHING)${ledgerChangeCtes(p, r.commissions, now, 'rf')
        .map((c) => `,\n    ${c}`)
        .join('')}
    SELECT (SELECT count(*) FROM rf)::int AS settled`;
  return shaped(`succeeded:${ledgerChangeShape(r.commissions)}`, text, p.values);
}

// -----------------------------------------------------------------------------------------------
// The hot path

/** Thrown when the troubleshooting request a new one replaces was closed or moved meanwhile. */
export class OrderTaken extends Error {}

/**
 * Writes a decided request with everything that goes with it. `replacing` names the troubleshooting
 * request the buyer came back from: it is closed in the same transaction, or OrderTaken is thrown.
 */
export async function insertDecidedRequest(sql: SqlRunner, rows: DecisionRows, replacing: string | null): Promise<void> {
  const statement = insertDecisionStatement(rows);
  if (!replacing) {
    await sql.query(statement.text, statement.values, statement.name);
    return;
  }
  await sql.transaction(async (tx) => {
    const closed = await tx.query(
      `UPDATE refund_requests SET status = 'cancelled', "activeOrderKey" = NULL, "closedAt" = ($2::timestamptz AT TIME ZONE 'UTC'),
         "updatedAt" = ($2::timestamptz AT TIME ZONE 'UTC') WHERE id = $1::text AND status = 'troubleshooting' RETURNING id`,
      [replacing, rows.now.toISOString()],
    );
    if (closed.length !== 1) throw new OrderTaken();
    await tx.query(statement.text, statement.values, statement.name);
  });
}

/** Settles a pending refund as succeeded with everything that follows; false when it was settled already. */
export async function settleRefundSucceeded(sql: SqlRunner, rows: SucceededRows): Promise<boolean> {
  const statement = refundSucceededStatement(rows);
  const [row] = await sql.query<{ settled: number }>(statement.text, statement.values, statement.name);
  return row?.settled === 1;
}

// -----------------------------------------------------------------------------------------------
// Buyer notices: one row shape, one INSERT (the hot path's CTE uses the same text).

export function buyerNoticeRow(
  kind: BuyerNoticeKind,
  requestId: string,
  locale: Locale,
  body: { zh: string; en: string },
  data: Record<string, unknown> = {},
): BuyerNoticeRow {
  const notice = buyerNotice(kind, locale, body);
  return {
    id: newId('ntf'),
    kind,
    locale,
    title: notice.title,
    body: notice.body,
    data: { requestId, ...data },
    dedupeKey: `${kind}:${requestId}`,
  };
}

/** Tells the buyer, once per notice kind and request (a repeat inserts nothing); stamped now unless told. */
export async function writeBuyerNotice(db: Db, buyerId: string, row: BuyerNoticeRow, now = new Date()): Promise<void> {
  const p = new SqlParams();
  const text = noticeInsert(p, p.add(buyerId, 'text'), row, p.utc(now), '(SELECT 1) AS one');
  await db.$executeRawUnsafe(text, ...p.values);
}

// -----------------------------------------------------------------------------------------------
// Requests and decisions

/** Locks the request's row until the transaction ends (one appeal per request). */
export async function lockRequest(tx: Prisma.TransactionClient, requestId: string): Promise<void> {
  await tx.$queryRaw`SELECT id FROM refund_requests WHERE id = ${requestId} FOR UPDATE`;
}

/** M12: a ring was found; a troubleshooting request of its accounts goes to a person. False if it had moved. */
export async function moveGuidedToReview(db: Db, requestId: string): Promise<boolean> {
  const moved = await db.refundRequest.updateMany({
    where: { id: requestId, status: 'troubleshooting' },
    data: { status: 'in_review', outcome: 'review' },
  });
  return moved.count === 1;
}

/**
 * A person's decision moves the request on in one guarded update: of several clicks or agents, one
 * does. Approval holds the order again (a failed payout may have let it go); refusal closes it.
 */
export async function moveByAgent(
  db: Db,
  p: { requestId: string; fromStatus: string; orderId: string; outcome: 'approved' | 'rejected'; now: Date },
): Promise<boolean> {
  const data =
    p.outcome === 'approved'
      ? { status: 'refund_pending' as const, outcome: 'approved' as const, activeOrderKey: p.orderId }
      : { status: 'rejected' as const, outcome: 'rejected' as const, activeOrderKey: null, closedAt: p.now };
  const moved = await db.refundRequest.updateMany({ where: { id: p.requestId, status: p.fromStatus as never, closedAt: null }, data });
  return moved.count === 1;
}

/** The buyer withdraws: the request lets go of its order. False when it changed meanwhile. */
export async function withdrawRequest(db: Db, p: { requestId: string; fromStatus: string; now: Date }): Promise<boolean> {
  const changed = await db.refundRequest.updateMany({
    where: { id: p.requestId, status: p.fromStatus as never },
    data: { status: 'cancelled', activeOrderKey: null, closedAt: p.now },
  });
  return changed.count === 1;
}

/** An appeal after a risk block takes the order back for the person's decision (the unique key may refuse). */
export async function reclaimOrder(db: Db, requestId: string, orderId: string): Promise<void> {
  await db.refundRequest.update({ where: { id: requestId }, data: { activeOrderKey: orderId, closedAt: null } });
}

export interface AgentDecisionRow {
  requestId: string;
  agentId: string;
  outcome: 'approved' | 'rejected';
  facts: Record<string, unknown>;
  rule: { id: string; result: 'pass' | 'fail'; detail: string };
  explanation: { zh: string; en: string };
  policy: { id: string | null; version: number | null };
  now: Date;
}

export async function insertAgentDecision(db: Db, d: AgentDecisionRow): Promise<void> {
  await db.decision.create({
    data: {
      id: newId('dc'),
      refundRequestId: d.requestId,
      actor: `agent:${d.agentId}`,
      outcome: d.outcome,
      decidedBy: 'agent.review',
      facts: d.facts as object,
      rules: [d.rule],
      explanationZh: d.explanation.zh,
      explanationEn: d.explanation.en,
      policyId: d.policy.id ?? 'none',
      policyVersion: d.policy.version ?? 0,
      createdAt: d.now,
    },
  });
}

// -----------------------------------------------------------------------------------------------
// Refunds

/** The recorded intent of an agent's approval, written before the gateway is called. */
export async function insertPendingRefund(
  db: Db,
  r: {
    id: string;
    requestId: string;
    orderId: string;
    amountMinor: number;
    currency: string;
    paymentMethod: string;
    transactionId: string;
  },
): Promise<void> {
  await db.refund.create({
    data: {
      id: r.id,
      refundRequestId: r.requestId,
      orderId: r.orderId,
      amountMinor: r.amountMinor,
      currency: r.currency,
      paymentMethod: r.paymentMethod as never,
      transactionId: r.transactionId,
      status: 'pending',
    },
  });
}

/** Every send is counted (MAX_PAYOUT_RESENDS). */
export async function countPayoutAttempt(db: Db, refundId: string): Promise<void> {
  await db.refund.update({ where: { id: refundId }, data: { attempts: { increment: 1 } } });
}

/** On rails whose rules need it, the send time is written before the call. */
export async function markRefundSubmitted(db: Db, refundId: string, at: Date): Promise<void> {
  await db.refund.update({ where: { id: refundId }, data: { submittedAt: at } });
}

/** The provider refused it; false when it was settled meanwhile. The request waits for a person. */
export async function settleRefundFailed(db: Db, p: { refundId: string; requestId: string; reason: string; now: Date }): Promise<boolean> {
  const settled = await db.refund.updateMany({
    where: { id: p.refundId, status: 'pending' },
    data: { status: 'failed', lastError: p.reason, settledAt: p.now },
  });
  if (settled.count !== 1) return false;
  await db.refundRequest.update({ where: { id: p.requestId }, data: { status: 'refund_failed' } });
  return true;
}

/** Still pending: what the provider said (its reference) or why it is unknown. */
export async function notePending(db: Db, refundId: string, p: { gatewayRef: string | null; lastError: string | null }): Promise<void> {
  await db.refund.updateMany({
    where: { id: refundId, status: 'pending' },
    data: { ...(p.gatewayRef ? { gatewayRef: p.gatewayRef } : {}), lastError: p.lastError },
  });
}

/** The provider reports the refund's reference (a notice, a query), unless one is known. */
export async function noteGatewayRef(db: Db, refundId: string, gatewayRef: string, onlyIfPending = false): Promise<void> {
  if (onlyIfPending) await db.refund.updateMany({ where: { id: refundId, status: 'pending' }, data: { gatewayRef } });
  else await db.refund.update({ where: { id: refundId }, data: { gatewayRef } });
}

export async function noteQueryFailed(db: Db, refundId: string, message: string): Promise<void> {
  await db.refund.update({ where: { id: refundId }, data: { lastError: `query failed: ${message}` } });
}

/** Gives a pending refund to a person, once; false when it was given before or settled. */
export async function markRefundEscalated(db: Db, refundId: string, now: Date): Promise<boolean> {
  const marked = await db.refund.updateMany({ where: { id: refundId, status: 'pending', escalatedAt: null }, data: { escalatedAt: now } });
  return marked.count === 1;
}

// -----------------------------------------------------------------------------------------------
// The handoffs a refund opens and closes

export async function openRefundHandoff(
  db: Db,
  h: { requestId: string; buyerId: string; orderId: string; kind: 'policy_review' | 'risk_review' | 'appeal'; reason: string; id?: string },
): Promise<string> {
  const id = h.id ?? newId('ho');
  await db.handoff.create({
    data: { id, refundRequestId: h.requestId, buyerId: h.buyerId, orderId: h.orderId, kind: h.kind, status: 'open', reason: h.reason },
  });
  return id;
}

/** The request was decided or withdrawn: its live tickets are resolved. */
export async function resolveRefundHandoffs(db: Db, requestId: string, now: Date, resolution?: string): Promise<void> {
  await db.handoff.updateMany({
    where: { refundRequestId: requestId, status: { in: ['open', 'claimed'] } },
    data: { status: 'resolved', resolvedAt: now, ...(resolution ? { resolution } : {}) },
  });
}

/** M12: the ring's signal on a request it moved to a person. */
export async function insertRingSignal(
  db: Db,
  p: { requestId: string; detail: string; evidence: Record<string, unknown>; now: Date },
): Promise<void> {
  await db.riskSignal.create({
    data: {
      id: newId('rs'),
      kind: 'ring',
      subjectType: 'refund_request',
      subjectId: p.requestId,
      refundRequestId: p.requestId,
      action: 'review',
      evidence: { detail: p.detail, ...p.evidence } as object,
      createdAt: p.now,
    },
  });
}

/** A payment alert for the risk channel, in the same transaction as the escalation it reports. */
export async function queueAlert(db: Db, item: OutboxItem & { id: string }): Promise<void> {
  await enqueue(db, [item]);
}
