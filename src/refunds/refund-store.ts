// The one writer of refund requests, decisions, refunds, the handoffs a refund opens or closes, and the
// buyer's notices about them (issue 19): the workflow, agents' decisions, appeals and withdrawals all
// write through these functions, so a rule about a row is made once. Callers own the transactions;
// each function here takes the client or transaction it writes with.
//
// The hot path's two writes are single SQL statements: one whose data-modifying CTEs insert the
// request, its decision, the pending refund, the handoff and the buyer's notice is atomic by itself
// (no BEGIN/COMMIT round trips) and costs a fraction of the ORM calls it replaces: this is what every
// refund request pays. Requests written at the same time share one such statement (StatementBatcher:
// each statement's rows are jsonb arrays, one element per request), so under load the database
// commits once for many of them. Rare paths (failures, cancels, agents) use the Prisma client, except the
// buyer's notice, which is the same INSERT everywhere.
import type { LedgerChange } from '../commission/index.ts';
import { ledgerChangeCtes, ledgerChangeShape } from '../commission/index.ts';
import type { Locale } from '../domain/index.ts';
import type { Prisma } from '../generated/prisma/client.ts';
import { newId } from '../ids.ts';
import { enqueue, type OutboxItem } from '../outbox/index.ts';
import type { PrismaClient } from '../store/index.ts';
import { batcherPerRunner, HOT_PATH_BATCHES, SqlParams, shapedStatement, StatementBatcher } from '../store/index.ts';
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

/** Where a timestamptz field of a jsonb row goes into a `timestamp(3)` column (the way Prisma stores DateTime). */
const utcOf = (field: string) => `(${field} AT TIME ZONE 'UTC')`;

/** A buyer's notice as a row of a batch: who it is for, when, and the gate it waits for. */
const noticeRow = (n: BuyerNoticeRow, recipientId: string, now: Date, gate: string) => ({
  ...n,
  recipientId,
  createdAt: now.toISOString(),
  gate,
});

/**
 * Inserts decided requests with everything that goes with each, in one statement (the batch of
 * requests that were written together: decidedWrites); returns the requests' ids.
 */
export function insertDecisionStatement(batch: DecisionRows[]): Statement {
  const p = new SqlParams();
  const at = (r: DecisionRows) => r.now.toISOString();
  const requests = batch.map((r) => ({ ...r.request, createdAt: at(r), closedAt: r.request.closedAt?.toISOString() ?? null }));
  const parts = [
    `req AS (
      INSERT INTO refund_requests (id, "orderId", "productId", "buyerId", status, outcome, "reasonCode", "reasonText", channel, "deviceId", ip,
        "idempotencyKey", "activeOrderKey", "policyId", "policyVersion", "createdAt", "updatedAt", "closedAt")
      SELECT x.id, x."orderId", x."productId", x."buyerId", x.status::"RefundRequestStatus", x.outcome::"DecisionOutcome", x."reasonCode"::"ReasonCode",
        x."reasonText", x.channel, x."deviceId", x.ip, x."idempotencyKey", x."activeOrderKey", x."policyId", x."policyVersion",
        ${utcOf('x."createdAt"')}, ${utcOf('x."createdAt"')}, ${utcOf('x."closedAt"')}
      FROM jsonb_to_recordset(${p.json(requests)}) AS x(id text, "orderId" text, "productId" text, "buyerId" text, status text, outcome text,
        "reasonCode" text, "reasonText" text, channel text, "deviceId" text, ip text, "idempotencyKey" text, "activeOrderKey" text,
        "policyId" text, "policyVersion" int, "createdAt" timestamptz, "closedAt" timestamptz)
      RETURNING id)`,
    `dec AS (
      INSERT INTO decisions (id, "refundRequestId", actor, outcome, "decidedBy", facts, rules, "explanationZh", "explanationEn", "policyId", "policyVersion", "createdAt")
      SELECT x.id, x."refundRequestId", 'policy', x.outcome::"DecisionOutcome", x."decidedBy", x.facts, x.rules, x."explanationZh", x."explanationEn",
        x."policyId", x."policyVersion", ${utcOf('x."createdAt"')}
      FROM jsonb_to_recordset(${p.json(
        batch.map((r) => ({
          ...r.decision,
          refundRequestId: r.request.id,
          outcome: r.request.outcome,
          policyId: r.request.policyId,
          policyVersion: r.request.policyVersion,
          createdAt: at(r),
        })),
      )}) AS x(id text, "refundRequestId" text, outcome text, "decidedBy" text, facts jsonb, rules jsonb, "explanationZh" text, "explanationEn" text,
        "policyId" text, "policyVersion" int, "createdAt" timestamptz))`,
    `nt AS (${noticesInsert(
      p,
      batch.map((r) => noticeRow(r.notice, r.request.buyerId, r.now, r.request.id)),
      'req',
    )})`,
  ];
  const fingerprints = batch.flatMap((r) =>
    r.fingerprintId
      ? [
          {
            id: r.fingerprintId,
            buyerId: r.request.buyerId,
            deviceId: r.request.deviceId,
            ip: r.request.ip,
            refId: r.request.id,
            at: at(r),
          },
        ]
      : [],
  );
  if (fingerprints.length > 0) {
    parts.push(`fp AS (
      INSERT INTO fingerprints (id, "buyerId", "deviceId", ip, source, "refId", at, "createdAt")
      SELECT x.id, x."buyerId", x."deviceId", x.ip, 'refund_request', x."refId", ${utcOf('x.at')}, ${utcOf('x.at')}
      FROM jsonb_to_recordset(${p.json(fingerprints)}) AS x(id text, "buyerId" text, "deviceId" text, ip text, "refId" text, at timestamptz))`);
  }
  const refunds = batch.flatMap((r) =>
    r.refund ? [{ ...r.refund, refundRequestId: r.request.id, orderId: r.request.orderId, at: at(r) }] : [],
  );
  if (refunds.length > 0) {
    // The recorded intent, written before the gateway is ever called; the attempt is counted with it
    // because the call follows as soon as this commits.
    parts.push(`rf AS (
      INSERT INTO refunds (id, "refundRequestId", "orderId", "amountMinor", currency, "paymentMethod", "transactionId", status, attempts, "createdAt", "updatedAt")
      SELECT x.id, x."refundRequestId", x."orderId", x."amountMinor", x.currency, x."paymentMethod"::"PaymentMethod", x."transactionId", 'pending', 1,
        ${utcOf('x.at')}, ${utcOf('x.at')}
      FROM jsonb_to_recordset(${p.json(refunds)}) AS x(id text, "refundRequestId" text, "orderId" text, "amountMinor" int, currency text,
        "paymentMethod" text, "transactionId" text, at timestamptz))`);
  }
  const handoffs = batch.flatMap((r) =>
    r.handoff ? [{ ...r.handoff, refundRequestId: r.request.id, buyerId: r.request.buyerId, orderId: r.request.orderId, at: at(r) }] : [],
  );
  if (handoffs.length > 0) {
    parts.push(`ho AS (
      INSERT INTO handoffs (id, "refundRequestId", "buyerId", "orderId", kind, status, reason, "createdAt", "updatedAt")
      SELECT x.id, x."refundRequestId", x."buyerId", x."orderId", x.kind::"HandoffKind", 'open', x.reason, ${utcOf('x.at')}, ${utcOf('x.at')}
      FROM jsonb_to_recordset(${p.json(handoffs)}) AS x(id text, "refundRequestId" text, "buyerId" text, "orderId" text, kind text, reason text,
        at timestamptz))`);
  }
  const signals = batch.flatMap((r) => r.riskSignals.map((s) => ({ ...s, refundRequestId: r.request.id, at: at(r) })));
  if (signals.length > 0) {
    parts.push(`rs AS (
      INSERT INTO risk_signals (id, kind, "subjectType", "subjectId", "refundRequestId", action, evidence, "createdAt")
      SELECT x.id, x.kind, 'refund_request', x."refundRequestId", x."refundRequestId", x.action, x.evidence, ${utcOf('x.at')}
      FROM jsonb_to_recordset(${p.json(signals)}) AS x(id text, kind text, "refundRequestId" text, action text, evidence jsonb, at timestamptz))`);
  }
  const changes = batch.map((r) => ({ change: r.commissions, now: r.now, gate: r.request.id }));
  parts.push(...ledgerChangeCtes(p, changes, 'req'));
  const has = (n: number, flag: string) => (n > 0 ? flag : '');
  const shape = `decided:${has(fingerprints.length, 'fp')}${has(refunds.length, 'rf')}${has(handoffs.length, 'ho')}${has(signals.length, 'rs')}:${ledgerChangeShape(
    batch.map((r) => r.commissions),
  )}`;
  return shaped(shape, `WITH ${parts.join(',\n')}\nSELECT id FROM req`, p.values);
}

/** Buyers' notices, once per notice kind and request (a repeat inserts nothing), each if its gate row was written. */
function noticesInsert(p: SqlParams, rows: Array<ReturnType<typeof noticeRow>>, gateCte: string): string {
  return `INSERT INTO notifications (id, "recipientId", "recipientKind", kind, locale, title, body, data, "dedupeKey", "createdAt")
      SELECT x.id, x."recipientId", 'buyer', x.kind, x.locale, x.title, x.body, x.data, x."dedupeKey", ${utcOf('x."createdAt"')}
      FROM jsonb_to_recordset(${p.json(rows)}) AS x(id text, "recipientId" text, kind text, locale text, title text, body text, data jsonb,
        "dedupeKey" text, "createdAt" timestamptz, gate text)
      WHERE x.gate IN (SELECT id FROM ${gateCte})
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
 * Settles pending refunds as succeeded, each closing its request, telling its buyer and queueing its
 * access revocation — each all or nothing, and only if its refund was still pending. Returns the ids
 * of the refunds it settled (one that was settled already is not among them).
 */
export function refundSucceededStatement(batch: SucceededRows[]): Statement {
  const p = new SqlParams();
  const settles = batch.map((r) => ({ refundId: r.refundId, requestId: r.requestId, gatewayRef: r.gatewayRef, at: r.now.toISOString() }));
  const outbox = batch.map((r) => ({ ...r.outbox, gate: r.refundId, at: r.now.toISOString() }));
  const changes = batch.map((r) => ({ change: r.commissions, now: r.now, gate: r.refundId }));
  const text = `WITH s AS (
      SELECT * FROM jsonb_to_recordset(${p.json(settles)}) AS s("refundId" text, "requestId" text, "gatewayRef" text, at timestamptz)),
    rf AS (
      UPDATE refunds SET status = 'succeeded', "gatewayRef" = s."gatewayRef", "settledAt" = ${utcOf('s.at')}, "lastError" = NULL, "updatedAt" = ${utcOf('s.at')}
      FROM s WHERE refunds.id = s."refundId" AND refunds.status = 'pending' RETURNING refunds.id),
    rr AS (
      UPDATE refund_requests SET status = 'refunded', "closedAt" = ${utcOf('s.at')}, "updatedAt" = ${utcOf('s.at')}
      FROM s WHERE refund_requests.id = s."requestId" AND s."refundId" IN (SELECT id FROM rf) RETURNING refund_requests.id),
    nt AS (${noticesInsert(
      p,
      batch.map((r) => noticeRow(r.notice, r.buyerId, r.now, r.refundId)),
      'rf',
    )}),
    ob AS (
      INSERT INTO outbox_messages (id, topic, payload, "dedupeKey", status, attempts, "availableAt", "createdAt")
      SELECT x.id, x.topic, x.payload, x."dedupeKey", 'pending', 0, ${utcOf('x.at')}, ${utcOf('x.at')}
      FROM jsonb_to_recordset(${p.json(outbox)}) AS x(id text, topic text, payload jsonb, "dedupeKey" text, gate text, at timestamptz)
      WHERE x.gate IN (SELECT id FROM rf)
      ON CONFLICT ("dedupeKey") DO NOTHING)${ledgerChangeCtes(p, changes, 'rf')
        .map((c) => `,\n    ${c}`)
        .join('')}
    SELECT id FROM rf`;
  return shaped(`succeeded:${ledgerChangeShape(batch.map((r) => r.commissions))}`, text, p.values);
}

// -----------------------------------------------------------------------------------------------
// The hot path

/** Thrown when the troubleshooting request a new one replaces was closed or moved meanwhile. */
export class OrderTaken extends Error {}

// Requests decided or settled at the same time are written together (StatementBatcher), per database.
const decidedWrites = batcherPerRunner(
  (sql) =>
    new StatementBatcher<DecisionRows, void>(
      async (batch) => {
        const statement = insertDecisionStatement(batch);
        await sql.query(statement.text, statement.values, statement.name);
        return batch.map(() => undefined);
      },
      // Two requests for one order in one statement would fail it for both (the order's unique key).
      { ...HOT_PATH_BATCHES, keyOf: (r) => r.request.orderId },
    ),
);

const settleWrites = batcherPerRunner(
  (sql) =>
    new StatementBatcher<SucceededRows, boolean>(
      async (batch) => {
        const statement = refundSucceededStatement(batch);
        const settled = new Set((await sql.query<{ id: string }>(statement.text, statement.values, statement.name)).map((r) => r.id));
        return batch.map((r) => settled.has(r.refundId));
      },
      { ...HOT_PATH_BATCHES, keyOf: (r) => r.refundId },
    ),
);

/**
 * Writes a decided request with everything that goes with it. `replacing` names the troubleshooting
 * request the buyer came back from: it is closed in the same transaction, or OrderTaken is thrown.
 */
export async function insertDecidedRequest(sql: SqlRunner, rows: DecisionRows, replacing: string | null): Promise<void> {
  if (!replacing) {
    await decidedWrites(sql).submit(rows);
    return;
  }
  const statement = insertDecisionStatement([rows]);
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
  return settleWrites(sql).submit(rows);
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
  const text = `WITH one AS (SELECT 'notice'::text AS id) ${noticesInsert(p, [noticeRow(row, buyerId, now, 'notice')], 'one')}`;
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
