// RefundWorkflow.request() as its steps (Medusa's workflow of named steps), each a function with a
// typed input and output:
//
//   gatherFacts    the order, buyer, usage (recorded and live), profile and risk, as DecisionFacts (one read)
//   decideRequest  the policy decides (M19); the rows the decision writes, the commissions it freezes
//   persist        one atomic statement; a lost race answers with the winner (undone by not committing)
//   payOut         the point of no return: the gateway is called under the refund's id
//   settleAndTell  the answer, built from what this request wrote (the hot path reads nothing back)
//
// Everything before payOut is undone by its transaction rolling back; what follows payOut only moves
// forward (recordPayout is idempotent and the completion job retries it).
import { ledgerChange, NO_CHANGE, type LedgerChange } from '../commission/index.ts';
import { foldCommissions, freeze, release, type LedgerEntry } from '../commission/index.ts';
import type { CommissionNoticeContext } from '../commission/index.ts';
import { localeOrDefault, type Locale, type PaymentMethod, type ReasonCode } from '../domain/index.ts';
import { DeskError, conflict, forbidden, invalid, notFound } from '../errors.ts';
import { newId } from '../ids.ts';
import type { Logger } from '../logger.ts';
import { unconfiguredRail, type GatewayRouter } from '../payments/index.ts';
import type { RefundCall } from '../payments/index.ts';
import { decide, type Decision, type DecisionFacts, type Policy, type RefundRoute } from '../policy/index.ts';
import { profileOf } from '../risk/index.ts';
import type { RiskAssessor } from '../risk/index.ts';
import { isUniqueViolation, type PrismaClient } from '../store/index.ts';
import type { SqlRunner } from '../store/index.ts';
import { summarizeUsage, type UsageService } from '../usage/index.ts';
import { policyFrom } from './policy-resolver.ts';
import type { RefundRequestBody } from './refund-schemas.ts';
import { STATUS_BY_OUTCOME, holdsOrder as requestHoldsOrder, isReplaceable } from './refund-states.ts';
import {
  buyerNoticeRow,
  insertDecidedRequest,
  insertRingSignal,
  moveGuidedToReview,
  openRefundHandoff,
  OrderTaken,
  type DecisionRows,
} from './refund-store.ts';
import { loadRequestContext, type RequestContext } from './request-context-store.ts';
import { appealLink, type RefundRequestView } from './refund-view.ts';

/** Classifies free text into a reason code (the NLU module); null when it cannot. */
export type ReasonClassifier = (text: string) => Promise<ReasonCode | null>;

export interface RefundRequestResult {
  created: boolean;
  view: RefundRequestView;
}

/** What settling an order's commissions needs: its ledger so far and who is told in which language. */
export interface CommissionContext {
  entries: LedgerEntry[];
  locales: Record<string, Locale>;
  notice: CommissionNoticeContext;
  orderAmountMinor: number;
  /** Refunded for the order before this refund (succeeded refunds). */
  refundedBeforeMinor: number;
}

/** What paying a refund out needs, known to the request that just wrote it. */
export interface PayoutContext {
  call: RefundCall;
  requestId: string;
  buyerId: string;
  locale: Locale;
  commissions: CommissionContext;
}

export interface PayoutState {
  refundStatus: string;
  requestStatus: string;
  gatewayRef: string | null;
  /** The provider asked for a lower rate: send it nothing more for now. */
  rateLimited?: boolean;
}

/** What the steps read and write with; the workflow hands them its own. */
export interface StepDeps {
  prisma: PrismaClient;
  sql: SqlRunner;
  log: Logger;
  usage: UsageService;
  risk: RiskAssessor;
  gateways: GatewayRouter;
  classifyReason: ReasonClassifier | null;
  now: () => Date;
  /** The request's answer read back whole (rare paths: a repeat, a refused payout). */
  view: (requestId: string) => Promise<RefundRequestView>;
}

// -----------------------------------------------------------------------------------------------
// 1. Gather facts

export interface Gathered {
  input: RefundRequestBody;
  ctx: RequestContext;
  policy: Policy;
  facts: DecisionFacts;
  reasonCode: ReasonCode;
  now: Date;
}

/** The facts the policy decides on; or the earlier answer to the same idempotency key. Throws on bad input. */
export async function gatherFacts(
  deps: StepDeps,
  input: RefundRequestBody,
): Promise<{ gathered: Gathered } | { repeat: RefundRequestResult }> {
  const { prisma } = deps;
  const now = deps.now();
  const ctx = await loadRequestContext(
    deps.sql,
    {
      orderId: input.orderId,
      buyerId: input.buyerId,
      idempotencyKey: input.idempotencyKey ?? null,
      device: { id: input.device?.id ?? null, ip: input.device?.ip ?? null },
      now,
    },
    deps.risk,
  );
  if (!ctx) {
    throw notFound('order_not_found', `Order ${input.orderId} is not known to the desk`);
  }
  if (ctx.idempotentRequestId) return { repeat: { created: false, view: await deps.view(ctx.idempotentRequestId) } };
  if (ctx.buyerId !== input.buyerId) throw forbidden('not_order_owner', `Order ${input.orderId} does not belong to buyer ${input.buyerId}`);
  const active = ctx.active;
  if (active && !isReplaceable(active.status)) throw orderTakenError(active);
  if (ctx.refundedMinor >= ctx.amountMinor) {
    const refunded = await prisma.refundRequest.findFirst({
      where: { orderId: ctx.orderId, status: 'refunded' },
      orderBy: { createdAt: 'desc' },
    });
    throw conflict('order_already_refunded', `Order ${ctx.orderId} has already been refunded`, { existingRequestId: refunded?.id ?? null });
  }
  const reasonCode = await reasonCodeOf(deps, input);

  // The context statement read the policy, the profile and risk's first evidence with the order.
  const policy = policyFrom(ctx.product, ctx.storedPolicy);
  const profile = profileOf(ctx.profile, ctx.buyerId, now, ctx.currency);
  const [live, risk] = await Promise.all([
    deps.usage.liveCheck(ctx.orderId),
    deps.risk.assess({
      buyerId: ctx.buyerId,
      orderId: ctx.orderId,
      productId: ctx.product.id,
      // The device the request comes from; without one, the device the order was paid from.
      deviceId: input.device?.id ?? ctx.deviceId,
      ip: input.device?.ip ?? ctx.ip,
      now,
      first: ctx.firstEvidence,
    }),
  ]);

  const facts: DecisionFacts = {
    now: now.toISOString(),
    order: {
      id: ctx.orderId,
      amountMinor: ctx.amountMinor,
      currency: ctx.currency,
      paidAt: ctx.paidAt.toISOString(),
      paymentMethod: ctx.paymentMethod,
      alreadyRefundedMinor: ctx.refundedMinor,
    },
    product: { id: ctx.product.id, title: ctx.product.title, category: ctx.product.category },
    reason: { code: reasonCode, ...(input.reasonText ? { text: input.reasonText } : {}) },
    usage: summarizeUsage([...ctx.usage, ...live.events], live.status),
    buyer: {
      id: ctx.buyerId,
      tier: profile.tier,
      autoRefunds30d: { count: profile.refunds30d.count, amountMinor: profile.refunds30d.amountMinor },
    },
    risk,
    troubleshootingTried: ctx.troubleshootingTried,
    refundRoute: refundRoute(deps.gateways, ctx.paymentMethod),
  };
  return { gathered: { input, ctx, policy, facts, reasonCode, now } };
}

/** M20 as a fact: the rail that refunds this payment method here, or why none does. */
export function refundRoute(gateways: GatewayRouter, method: PaymentMethod): RefundRoute {
  const gateway = gateways.for(method);
  return gateway ? { rail: gateway.name, detail: `refunded by ${gateway.name}` } : { rail: null, detail: unconfiguredRail(method) };
}

async function reasonCodeOf(deps: Pick<StepDeps, 'classifyReason'>, input: RefundRequestBody): Promise<ReasonCode> {
  if (input.reasonCode) return input.reasonCode;
  const classified = deps.classifyReason ? await deps.classifyReason(input.reasonText!) : null;
  if (!classified) {
    throw invalid('reason_code_required', 'reasonCode is required: the reason text could not be classified', 'reasonCode');
  }
  return classified;
}

// -----------------------------------------------------------------------------------------------
// 2. Decide

export interface Decided {
  gathered: Gathered;
  decision: Decision;
  requestId: string;
  /** Set when the decision pays out: the refund's id is the gateway's idempotency key. */
  refundId: string | null;
  locale: Locale;
  rows: DecisionRows;
  /** The order's commissions after this decision's freeze (what a payout settles). */
  commissions: CommissionContext;
}

/** The policy decides, all of it (M19): the rows below store and carry out what decide() says. Pure but for ids. */
export function decideRequest(g: Gathered): Decided {
  const { ctx, facts, input, reasonCode, now } = g;
  const decision = decide(g.policy, facts);
  const requestId = newId('rr');
  const refundId = decision.outcome === 'approved' ? newId('rf') : null;
  const locale = localeOrDefault(ctx.buyerLocale);
  const order = {
    id: ctx.orderId,
    productId: ctx.product.id,
    buyerId: ctx.buyerId,
    currency: ctx.currency,
    paymentMethod: ctx.paymentMethod,
    paymentTransactionId: ctx.paymentTransactionId,
  };
  const commissions: CommissionContext = {
    entries: ctx.ledger,
    locales: ctx.beneficiaryLocales,
    notice: { orderId: ctx.orderId, productTitle: ctx.product.title, buyerName: ctx.buyerName, reasonCode },
    orderAmountMinor: ctx.amountMinor,
    refundedBeforeMinor: ctx.refundedMinor,
  };
  const atDecision = commissionsAtDecision(decision, commissions, requestId);
  const rows: DecisionRows = {
    ...decisionRows({ requestId, refundId, input, reasonCode, facts, decision, order, locale, now }),
    commissions: atDecision,
    riskSignals: facts.risk.signals.map((signal) => ({
      id: newId('rs'),
      kind: signal.kind,
      action: signal.action,
      evidence: { detail: signal.detail, ...signal.evidence },
    })),
  };
  return {
    gathered: g,
    decision,
    requestId,
    refundId,
    locale,
    rows,
    commissions: { ...commissions, entries: [...commissions.entries, ...atDecision.entries] },
  };
}

/**
 * M13: the moment a refund is requested, every commission of the order is frozen. A request that
 * is refused at once releases them in the same step; a troubleshooting guide freezes nothing (no
 * refund is under way until the buyer asks again). Both steps are told to the beneficiaries.
 */
function commissionsAtDecision(decision: Decision, c: CommissionContext, requestId: string): LedgerChange {
  if (decision.outcome === 'troubleshoot') return NO_CHANGE;
  const reason = `refund requested (${c.notice.reasonCode ?? 'other'})`;
  const frozen = freeze(foldCommissions(c.entries), requestId, reason);
  const released =
    decision.outcome === 'rejected'
      ? release(foldCommissions([...c.entries, ...frozen]), requestId, `refund refused: ${decision.decidedBy}`)
      : [];
  return commissionChange([...frozen, ...released], c);
}

/** Entries as a ledger change with its notices, each beneficiary told in their language. */
export function commissionChange(entries: LedgerEntry[], c: CommissionContext): LedgerChange {
  return ledgerChange(entries, c.notice, (id) => c.locales[id] ?? 'zh');
}

/** The rows a decided request writes, in one statement (src/refunds/refund-store.ts). */
function decisionRows(p: {
  requestId: string;
  refundId: string | null;
  input: RefundRequestBody;
  reasonCode: ReasonCode;
  facts: DecisionFacts;
  decision: Decision;
  order: { id: string; productId: string; buyerId: string; currency: string; paymentMethod: string; paymentTransactionId: string };
  locale: Locale;
  now: Date;
}): Omit<DecisionRows, 'commissions' | 'riskSignals'> {
  const { decision, order, input } = p;
  const holdsOrder = requestHoldsOrder(decision);
  // A person now (a review; M22's refusal by a usage condition), or once the buyer appeals (M3).
  const handoffKind = decision.handoff?.when === 'now' ? decision.handoff.kind : null;
  return {
    now: p.now,
    request: {
      id: p.requestId,
      orderId: order.id,
      productId: order.productId,
      buyerId: order.buyerId,
      status: STATUS_BY_OUTCOME[decision.outcome],
      outcome: decision.outcome,
      reasonCode: p.reasonCode,
      reasonText: input.reasonText ?? null,
      channel: input.channel,
      deviceId: input.device?.id ?? null,
      ip: input.device?.ip ?? null,
      idempotencyKey: input.idempotencyKey ?? null,
      activeOrderKey: holdsOrder ? order.id : null,
      policyId: decision.policy.id,
      policyVersion: decision.policy.version,
      closedAt: holdsOrder ? null : p.now,
    },
    decision: {
      id: newId('dc'),
      decidedBy: decision.decidedBy,
      facts: p.facts,
      rules: decision.rules,
      explanationZh: decision.explanation.zh,
      explanationEn: decision.explanation.en,
    },
    fingerprintId: input.device?.id || input.device?.ip ? newId('fp') : null,
    refund: p.refundId
      ? {
          id: p.refundId,
          amountMinor: decision.refundAmountMinor,
          currency: order.currency,
          paymentMethod: order.paymentMethod,
          transactionId: order.paymentTransactionId,
        }
      : null,
    handoff: handoffKind ? { id: newId('ho'), kind: handoffKind, reason: decision.decidedBy } : null,
    notice: buyerNoticeRow('refund.decided', p.requestId, p.locale, decision.explanation, { outcome: decision.outcome }),
  };
}

// -----------------------------------------------------------------------------------------------
// 3. Persist

export interface Persisted {
  decided: Decided;
  handoff: RefundRequestView['handoff'];
}

/** Writes the decision in one atomic statement; a request that lost the order answers with the winner's. */
export async function persist(deps: StepDeps, d: Decided): Promise<{ persisted: Persisted } | { lost: RefundRequestResult }> {
  const { ctx, input, facts, now } = d.gathered;
  try {
    // A buyer back after a troubleshooting guide: that request ends here, this one decides.
    await insertDecidedRequest(deps.sql, d.rows, ctx.active ? ctx.active.id : null);
  } catch (error) {
    if (error instanceof OrderTaken || isUniqueViolation(error)) return { lost: await afterLostRace(deps, input, ctx.orderId, error) };
    throw error;
  }
  const ring = facts.risk.signals.find((signal) => signal.kind === 'ring');
  if (ring) await escalateRing(deps.prisma, ring, d.requestId, now);
  deps.log.info(
    {
      requestId: d.requestId,
      orderId: ctx.orderId,
      outcome: d.decision.outcome,
      decidedBy: d.decision.decidedBy,
      policy: d.decision.policy,
    },
    'refund request decided',
  );
  return {
    persisted: { decided: d, handoff: d.rows.handoff ? { id: d.rows.handoff.id, kind: d.rows.handoff.kind, status: 'open' } : null },
  };
}

/**
 * M12: a ring was found. Every other open request of its accounts for the product goes to a
 * person too, carrying the same signal, unless it is already with one or its money has left.
 */
async function escalateRing(
  prisma: PrismaClient,
  signal: DecisionFacts['risk']['signals'][number],
  requestId: string,
  now: Date,
): Promise<void> {
  const requests = ((signal.evidence?.requests ?? []) as Array<{ requestId: string }>).map((r) => r.requestId);
  if (requests.length === 0) return;
  await prisma.$transaction(async (tx) => {
    const open = await tx.refundRequest.findMany({ where: { id: { in: requests }, status: 'troubleshooting' } });
    for (const request of open) {
      if (!(await moveGuidedToReview(tx, request.id))) continue;
      await openRefundHandoff(tx, {
        requestId: request.id,
        buyerId: request.buyerId,
        orderId: request.orderId,
        kind: 'risk_review',
        reason: 'risk.ring',
      });
      await insertRingSignal(tx, {
        requestId: request.id,
        detail: signal.detail,
        evidence: { foundBy: requestId, ...signal.evidence },
        now,
      });
    }
  });
}

export function orderTakenError(active: { id: string; status: string }): DeskError {
  if (active.status === 'refunded') {
    return conflict('order_already_refunded', 'This order has already been refunded', { existingRequestId: active.id });
  }
  return conflict('refund_request_open', `A refund request for this order is already ${active.status}`, { existingRequestId: active.id });
}

/** Another request won the order (or the idempotency key) while this one was deciding. */
async function afterLostRace(deps: StepDeps, input: RefundRequestBody, orderId: string, cause: unknown): Promise<RefundRequestResult> {
  if (input.idempotencyKey) {
    const previous = await deps.prisma.refundRequest.findUnique({
      where: { buyerId_idempotencyKey: { buyerId: input.buyerId, idempotencyKey: input.idempotencyKey } },
    });
    if (previous) return { created: false, view: await deps.view(previous.id) };
  }
  const winner = await deps.prisma.refundRequest.findUnique({ where: { activeOrderKey: orderId } });
  if (winner) throw orderTakenError(winner);
  throw new DeskError('conflict', 'refund_request_race', 'Another refund request for this order changed it; try again', { cause });
}

// -----------------------------------------------------------------------------------------------
// 4. Pay out: the point of no return

export type PayoutRunner = (refundId: string, known: PayoutContext) => Promise<PayoutState>;

export interface PaidOut {
  persisted: Persisted;
  /** Null when the decision pays nothing. */
  payout: PayoutState | null;
}

/** Calls the gateway for an approved decision (once, under the refund's id); nothing to do otherwise. */
export async function payOut(run: PayoutRunner, p: Persisted): Promise<PaidOut> {
  const d = p.decided;
  if (!d.refundId) return { persisted: p, payout: null };
  const { ctx } = d.gathered;
  const payout = await run(d.refundId, {
    call: {
      refundId: d.refundId,
      orderId: ctx.orderId,
      method: ctx.paymentMethod,
      transactionId: ctx.paymentTransactionId,
      amountMinor: d.decision.refundAmountMinor,
      totalMinor: ctx.paymentTotalMinor,
      currency: ctx.currency,
      paidAt: ctx.paidAt.toISOString(),
    },
    requestId: d.requestId,
    buyerId: ctx.buyerId,
    locale: d.locale,
    commissions: d.commissions,
  });
  return { persisted: p, payout };
}

// -----------------------------------------------------------------------------------------------
// 5. Settle and tell

/**
 * The request's answer. Built from what this request wrote, not read back: it is the hot path. A
 * refused payout opened a handoff after the decision: that rare answer is read back whole.
 */
export async function settleAndTell(deps: Pick<StepDeps, 'view'>, paid: PaidOut): Promise<RefundRequestResult> {
  const d = paid.persisted.decided;
  const { ctx, input, reasonCode, now } = d.gathered;
  if (paid.payout?.requestStatus === 'refund_failed') return { created: true, view: await deps.view(d.requestId) };
  const refund: RefundRequestView['refund'] =
    d.refundId && paid.payout
      ? {
          id: d.refundId,
          amountMinor: d.decision.refundAmountMinor,
          currency: ctx.currency,
          status: paid.payout.refundStatus,
          gatewayRef: paid.payout.gatewayRef,
        }
      : null;
  const at = now.toISOString();
  const view: RefundRequestView = {
    id: d.requestId,
    orderId: ctx.orderId,
    buyerId: ctx.buyerId,
    status: paid.payout ? paid.payout.requestStatus : STATUS_BY_OUTCOME[d.decision.outcome],
    outcome: d.decision.outcome,
    reasonCode,
    reasonText: input.reasonText ?? null,
    channel: input.channel,
    refund,
    explanation: d.decision.explanation,
    rules: d.decision.rules,
    policy: d.decision.policy,
    handoff: paid.persisted.handoff,
    appeal: d.decision.handoff?.when === 'on_appeal' ? appealLink(d.requestId) : null,
    createdAt: at,
    updatedAt: at,
  };
  return { created: true, view };
}
