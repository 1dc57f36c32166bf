// The refund request workflow: the only place that changes refund state. Channels, the API and
// agents all call it.
//
//   gather facts → decide → [persist request + decision + pending refund + handoff + outbox, one tx]
//   → payout (point of no return) → [record the result + notices + access revocation, one tx]
//
// Everything before the payout is undone by the transaction rolling back. The refund record is
// written, as `pending`, before the gateway is called, and its id is the gateway idempotency key, so
// a retry, a concurrent run or a crash never pays twice: a pending refund is finished by asking the
// gateway (completePending), never by paying blindly again. One order has at most one live request
// (the unique `activeOrderKey`), which is what makes 50 concurrent requests produce one refund.
import type { Cache } from '../cache/index.ts';
import { ledgerChange, NO_CHANGE, type LedgerChange } from '../commission/ledger-change.ts';
import { applyLedgerChange, beneficiaryLocales, orderLedger } from '../commission/ledger-store.ts';
import { foldCommissions, freeze, release, settleRefund, type LedgerEntry } from '../commission/ledger.ts';
import type { CommissionNoticeContext } from '../commission/notices.ts';
import { DeskError, conflict, forbidden, invalid, notFound } from '../errors.ts';
import type { Prisma } from '../generated/prisma/client.ts';
import { newId } from '../ids.ts';
import type { Logger } from '../logger.ts';
import { formatMoney } from '../domain/money.ts';
import { localeOrDefault, PAYMENT_METHODS, type Locale, type PaymentMethod, type ReasonCode } from '../domain/catalog.ts';
import { refundWithRetries, type PayoutResult, type RetryOptions, DEFAULT_RETRY } from '../payments/refund-with-retries.ts';
import { unconfiguredRail, type GatewayRouter } from '../payments/gateway-router.ts';
import { recordsSendTime, TransientGatewayError, type PaymentGateway, type QueryOutcome, type RefundCall } from '../payments/payment-gateway.ts';
import { PAYMENT_ALERT_TOPIC, type PaymentAlert } from '../payments/payment-notices.ts';
import { humanDuration, settlementOf } from '../payments/settlement-times.ts';
import { railGate, type RailGate } from '../payments/rail-limits.ts';
import { decide, type Decision, type DecisionFacts, type RefundRoute } from '../policy/index.ts';
import { buyerProfile } from '../risk/buyer-profile.ts';
import type { RiskAssessor } from '../risk/risk-assessor.ts';
import { isUniqueViolation, type PrismaClient } from '../store/database.ts';
import type { SqlRunner } from '../store/sql-runner.ts';
import { summarizeUsage, type UsageService } from '../usage/usage-facts.ts';
import { CANCELLED_TEXT, REFUND_FAILED_TEXT, succeededText } from './buyer-notices.ts';
import { resolvePolicy } from './policy-resolver.ts';
import type { RefundRequestBody } from './refund-schemas.ts';
import {
  buyerNoticeRow,
  countPayoutAttempt,
  insertDecidedRequest,
  insertRingSignal,
  markRefundEscalated,
  markRefundSubmitted,
  moveGuidedToReview,
  noteGatewayRef,
  notePending,
  noteQueryFailed,
  openRefundHandoff,
  OrderTaken,
  queueAlert,
  resolveRefundHandoffs,
  settleRefundFailed,
  settleRefundSucceeded,
  withdrawRequest,
  writeBuyerNotice,
  type DecisionRows,
} from './refund-store.ts';
import { loadRequestContext } from './request-context.ts';
import { openAppeal } from './refund-appeal.ts';
import { STATUS_BY_OUTCOME, holdsOrder as requestHoldsOrder, isCancellable, isReplaceable } from './refund-states.ts';
import { appealLink, loadView, type RefundRequestView } from './refund-view.ts';

type Tx = Prisma.TransactionClient;

/** Classifies free text into a reason code (the NLU module); null when it cannot. */
export type ReasonClassifier = (text: string) => Promise<ReasonCode | null>;

export interface RefundWorkflowDeps {
  prisma: PrismaClient;
  /** Raw SQL on the same database (pool or PGlite) for the hot path's reads and writes. */
  sql: SqlRunner;
  cache: Cache;
  log: Logger;
  usage: UsageService;
  risk: RiskAssessor;
  gateways: GatewayRouter;
  classifyReason: ReasonClassifier | null;
  retry?: RetryOptions;
  now?: () => Date;
}

export interface RefundRequestResult {
  created: boolean;
  view: RefundRequestView;
}

/** What paying a refund out needs, known to the request that just wrote it. */
interface PayoutContext {
  call: RefundCall;
  requestId: string;
  buyerId: string;
  locale: Locale;
  commissions: CommissionContext;
}

/** What settling an order's commissions needs: its ledger so far and who is told in which language. */
interface CommissionContext {
  entries: LedgerEntry[];
  locales: Record<string, Locale>;
  notice: CommissionNoticeContext;
  orderAmountMinor: number;
  /** Refunded for the order before this refund (succeeded refunds). */
  refundedBeforeMinor: number;
}

export interface PayoutState {
  refundStatus: string;
  requestStatus: string;
  gatewayRef: string | null;
  /** The provider asked for a lower rate: send it nothing more for now. */
  rateLimited?: boolean;
}

/**
 * Times a pending refund is sent again because its provider holds no settled refund under its key
 * (not_found: it never arrived; Alipay: not received, or failed) before a person is given it.
 */
export const MAX_PAYOUT_RESENDS = 5;

export class RefundWorkflow {
  private readonly now: () => Date;

  constructor(private readonly deps: RefundWorkflowDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  // ---------------------------------------------------------------------------------------------
  // Request

  async request(input: RefundRequestBody): Promise<RefundRequestResult> {
    const { prisma } = this.deps;
    const ctx = await loadRequestContext(this.deps.sql, input.orderId, input.buyerId, input.idempotencyKey ?? null);
    if (!ctx) {
      throw notFound('order_not_found', `Order ${input.orderId} is not known to the desk`);
    }
    if (ctx.idempotentRequestId) return { created: false, view: await this.view(ctx.idempotentRequestId) };
    if (ctx.buyerId !== input.buyerId) throw forbidden('not_order_owner', `Order ${input.orderId} does not belong to buyer ${input.buyerId}`);
    const active = ctx.active;
    if (active && !isReplaceable(active.status)) throw this.orderTakenError(active);
    if (ctx.refundedMinor >= ctx.amountMinor) {
      const refunded = await prisma.refundRequest.findFirst({ where: { orderId: ctx.orderId, status: 'refunded' }, orderBy: { createdAt: 'desc' } });
      throw conflict('order_already_refunded', `Order ${ctx.orderId} has already been refunded`, { existingRequestId: refunded?.id ?? null });
    }
    const reasonCode = await this.reasonCodeOf(input);

    const now = this.now();
    const [policy, live, profile, risk] = await Promise.all([
      resolvePolicy(prisma, ctx.product),
      this.deps.usage.liveCheck(ctx.orderId),
      buyerProfile(this.deps.sql, ctx.buyerId, now, ctx.currency),
      this.deps.risk.assess({
        buyerId: ctx.buyerId,
        orderId: ctx.orderId,
        productId: ctx.product.id,
        // The device the request comes from; without one, the device the order was paid from.
        deviceId: input.device?.id ?? ctx.deviceId,
        ip: input.device?.ip ?? ctx.ip,
        now,
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
      buyer: { id: ctx.buyerId, tier: profile.tier, autoRefunds30d: { count: profile.refunds30d.count, amountMinor: profile.refunds30d.amountMinor } },
      risk,
      troubleshootingTried: ctx.troubleshootingTried,
      refundRoute: this.refundRoute(ctx.paymentMethod),
    };
    // The policy decides, all of it (M19): the workflow stores and carries out what decide() says.
    const decision = decide(policy, facts);

    const requestId = newId('rr');
    const refundId = decision.outcome === 'approved' ? newId('rf') : null;
    const locale = localeOrDefault(ctx.buyerLocale);
    const order = { id: ctx.orderId, productId: ctx.product.id, buyerId: ctx.buyerId, currency: ctx.currency, paymentMethod: ctx.paymentMethod, paymentTransactionId: ctx.paymentTransactionId };
    const commissions: CommissionContext = {
      entries: ctx.ledger,
      locales: ctx.beneficiaryLocales,
      notice: { orderId: ctx.orderId, productTitle: ctx.product.title, buyerName: ctx.buyerName, reasonCode },
      orderAmountMinor: ctx.amountMinor,
      refundedBeforeMinor: ctx.refundedMinor,
    };
    const atDecision = this.commissionsAtDecision(decision, commissions, requestId);
    const rows: DecisionRows = {
      ...this.decisionRows({ requestId, refundId, input, reasonCode, facts, decision, order, locale, now }),
      commissions: atDecision,
      riskSignals: facts.risk.signals.map((signal) => ({
        id: newId('rs'),
        kind: signal.kind,
        action: signal.action,
        evidence: { detail: signal.detail, ...signal.evidence },
      })),
    };
    try {
      // A buyer back after a troubleshooting guide: that request ends here, this one decides.
      await insertDecidedRequest(this.deps.sql, rows, active ? active.id : null);
    } catch (error) {
      if (error instanceof OrderTaken || isUniqueViolation(error)) return this.afterLostRace(input, ctx.orderId, error);
      throw error;
    }
    const persisted = { handoff: rows.handoff ? { id: rows.handoff.id, kind: rows.handoff.kind, status: 'open' } : null };
    const ring = facts.risk.signals.find((signal) => signal.kind === 'ring');
    if (ring) await this.escalateRing(ring, requestId, now);
    this.deps.log.info(
      { requestId, orderId: ctx.orderId, outcome: decision.outcome, decidedBy: decision.decidedBy, policy: decision.policy },
      'refund request decided',
    );
    let status: string = STATUS_BY_OUTCOME[decision.outcome];
    let refund: RefundRequestView['refund'] = null;
    if (refundId) {
      const payout = await this.executeRefund(refundId, {
        call: {
          refundId,
          orderId: ctx.orderId,
          method: ctx.paymentMethod,
          transactionId: ctx.paymentTransactionId,
          amountMinor: decision.refundAmountMinor,
          totalMinor: ctx.paymentTotalMinor,
          currency: ctx.currency,
          paidAt: ctx.paidAt.toISOString(),
        },
        requestId,
        buyerId: ctx.buyerId,
        locale,
        commissions: { ...commissions, entries: [...commissions.entries, ...atDecision.entries] },
      });
      // A refused payout opened a handoff after the decision: read that rare answer back whole.
      if (payout.requestStatus === 'refund_failed') return { created: true, view: await this.view(requestId) };
      status = payout.requestStatus;
      refund = { id: refundId, amountMinor: decision.refundAmountMinor, currency: ctx.currency, status: payout.refundStatus, gatewayRef: payout.gatewayRef };
    }
    // The answer is built from what this request wrote, not read back: it is the hot path.
    const at = now.toISOString();
    const view: RefundRequestView = {
      id: requestId,
      orderId: ctx.orderId,
      buyerId: ctx.buyerId,
      status,
      outcome: decision.outcome,
      reasonCode,
      reasonText: input.reasonText ?? null,
      channel: input.channel,
      refund,
      explanation: decision.explanation,
      rules: decision.rules,
      policy: decision.policy,
      handoff: persisted.handoff,
      appeal: decision.handoff?.when === 'on_appeal' ? appealLink(requestId) : null,
      createdAt: at,
      updatedAt: at,
    };
    return { created: true, view };
  }

  /** M20 as a fact: the rail that refunds this payment method here, or why none does. */
  private refundRoute(method: PaymentMethod): RefundRoute {
    const gateway = this.deps.gateways.for(method);
    return gateway ? { rail: gateway.name, detail: `refunded by ${gateway.name}` } : { rail: null, detail: unconfiguredRail(method) };
  }

  /**
   * M3, M16: the buyer takes the appeal a refusal offered, and a person gets the case with its whole
   * context (the ticket carries the decision, its facts and trace, and the buyer's words). Opens
   * one appeal per request: a repeat, or an appeal of a refusal that opened one at once (M22),
   * returns the same one.
   */
  async appeal(requestId: string, buyerId?: string, text?: string): Promise<RefundRequestView> {
    await openAppeal({ prisma: this.deps.prisma, log: this.deps.log, now: this.now() }, { requestId, buyerId, text });
    return this.view(requestId);
  }

  private async reasonCodeOf(input: RefundRequestBody): Promise<ReasonCode> {
    if (input.reasonCode) return input.reasonCode;
    const classified = this.deps.classifyReason ? await this.deps.classifyReason(input.reasonText!) : null;
    if (!classified) {
      throw invalid('reason_code_required', 'reasonCode is required: the reason text could not be classified', 'reasonCode');
    }
    return classified;
  }

  /**
   * M12: a ring was found. Every other open request of its accounts for the product goes to a
   * person too, carrying the same signal, unless it is already with one or its money has left.
   */
  private async escalateRing(signal: DecisionFacts['risk']['signals'][number], requestId: string, now: Date): Promise<void> {
    const requests = ((signal.evidence?.requests ?? []) as Array<{ requestId: string }>).map((r) => r.requestId);
    if (requests.length === 0) return;
    await this.deps.prisma.$transaction(async (tx) => {
      const open = await tx.refundRequest.findMany({ where: { id: { in: requests }, status: 'troubleshooting' } });
      for (const request of open) {
        if (!(await moveGuidedToReview(tx, request.id))) continue;
        await openRefundHandoff(tx, { requestId: request.id, buyerId: request.buyerId, orderId: request.orderId, kind: 'risk_review', reason: 'risk.ring' });
        await insertRingSignal(tx, { requestId: request.id, detail: signal.detail, evidence: { foundBy: requestId, ...signal.evidence }, now });
      }
    });
  }

  /**
   * M13: the moment a refund is requested, every commission of the order is frozen. A request that
   * is refused at once releases them in the same step; a troubleshooting guide freezes nothing (no
   * refund is under way until the buyer asks again). Both steps are told to the beneficiaries.
   */
  private commissionsAtDecision(decision: Decision, c: CommissionContext, requestId: string): LedgerChange {
    if (decision.outcome === 'troubleshoot') return NO_CHANGE;
    const reason = `refund requested (${c.notice.reasonCode ?? 'other'})`;
    const frozen = freeze(foldCommissions(c.entries), requestId, reason);
    const released = decision.outcome === 'rejected' ? release(foldCommissions([...c.entries, ...frozen]), requestId, `refund refused: ${decision.decidedBy}`) : [];
    return this.change([...frozen, ...released], c);
  }

  private change(entries: LedgerEntry[], c: CommissionContext): LedgerChange {
    return ledgerChange(entries, c.notice, (id) => c.locales[id] ?? 'zh');
  }

  /** The rows a decided request writes, in one statement (src/refunds/refund-store.ts). */
  private decisionRows(p: {
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
        ? { id: p.refundId, amountMinor: decision.refundAmountMinor, currency: order.currency, paymentMethod: order.paymentMethod, transactionId: order.paymentTransactionId }
        : null,
      handoff: handoffKind ? { id: newId('ho'), kind: handoffKind, reason: decision.decidedBy } : null,
      notice: buyerNoticeRow('refund.decided', p.requestId, p.locale, decision.explanation, { outcome: decision.outcome }),
    };
  }

  private orderTakenError(active: { id: string; status: string }): DeskError {
    if (active.status === 'refunded') {
      return conflict('order_already_refunded', 'This order has already been refunded', { existingRequestId: active.id });
    }
    return conflict('refund_request_open', `A refund request for this order is already ${active.status}`, { existingRequestId: active.id });
  }

  private async byIdempotencyKey(buyerId: string, key: string): Promise<RefundRequestResult | null> {
    const previous = await this.deps.prisma.refundRequest.findUnique({ where: { buyerId_idempotencyKey: { buyerId, idempotencyKey: key } } });
    if (!previous) return null;
    return { created: false, view: await this.view(previous.id) };
  }

  /** Another request won the order (or the idempotency key) while this one was deciding. */
  private async afterLostRace(input: RefundRequestBody, orderId: string, cause: unknown): Promise<RefundRequestResult> {
    if (input.idempotencyKey) {
      const same = await this.byIdempotencyKey(input.buyerId, input.idempotencyKey);
      if (same) return same;
    }
    const winner = await this.deps.prisma.refundRequest.findUnique({ where: { activeOrderKey: orderId } });
    if (winner) throw this.orderTakenError(winner);
    throw new DeskError('conflict', 'refund_request_race', 'Another refund request for this order changed it; try again', { cause });
  }

  // ---------------------------------------------------------------------------------------------
  // Payout and its result

  /**
   * Pays a pending refund out (once) and records the result. Safe to call repeatedly and from
   * several places: a lock keeps two callers from racing, and the idempotency key keeps the provider
   * from paying twice even if the lock's lease ran out. `known` spares the reads when the caller has
   * just written the refund (the request path).
   */
  async executeRefund(refundId: string, known?: PayoutContext): Promise<PayoutState> {
    // The request that has just written a refund pays it out without the lock: nobody else can know
    // the refund yet, and the completion job leaves pending refunds alone for longer than a payout
    // can take. Everyone else (the job, agents) takes the lock first.
    const lock = known ? null : await this.deps.cache.tryLock(`lock:refund:${refundId}`, 60_000);
    if (!known && !lock) return this.payoutState(refundId); // Someone else is paying it out right now.
    try {
      const context = known ?? (await this.payoutContextOf(this.deps.prisma, refundId));
      if (!context) return this.payoutState(refundId);
      const gateway = this.deps.gateways.for(context.call.method);
      if (!gateway) return await this.recordPayout(refundId, { status: 'failed', reason: unconfiguredRail(context.call.method) }, context);
      const gate = await this.railGateFor(gateway, context.call);
      if (gate.action === 'refuse') return await this.recordPayout(refundId, { status: 'failed', reason: gate.reason }, context);
      // Too soon after the payment's last refund: it stays pending, unsent; the completion job sends it.
      if (gate.action === 'wait') return await this.recordPayout(refundId, { status: 'unknown', error: gate.reason }, context);
      // Every send is counted (the request's own was counted when it wrote the refund): MAX_PAYOUT_RESENDS.
      if (!known) await countPayoutAttempt(this.deps.prisma, refundId);
      const result: PayoutResult = await refundWithRetries(gateway, context.call, this.deps.retry ?? DEFAULT_RETRY);
      const state = await this.recordPayout(refundId, result, context);
      return result.status === 'unknown' && result.rateLimited ? { ...state, rateLimited: true } : state;
    } finally {
      await lock?.release();
    }
  }

  /**
   * The rail's rules for this refund (WeChat Pay: a year, 50 refunds a payment, a minute apart). On
   * rails whose rules need it the send time is written before the call, so that a refund never sent
   * is known (the completion job sends it without asking), the next refund of the payment can wait,
   * and a query waits as long as the rail asks (Alipay: 10 s).
   */
  private async railGateFor(gateway: PaymentGateway, call: RefundCall): Promise<RailGate> {
    if (!gateway.limits) return { action: 'send' };
    const { prisma } = this.deps;
    const now = this.now();
    // The payment's other refunds matter only to rails that count them or space them out.
    const needsHistory = gateway.limits.maxRefundsPerPayment !== undefined || gateway.limits.minIntervalMs !== undefined;
    const others = needsHistory
      ? await prisma.refund.findMany({
          where: { transactionId: call.transactionId, paymentMethod: call.method, id: { not: call.refundId }, OR: [{ status: 'succeeded' }, { status: 'pending', submittedAt: { not: null } }] },
          select: { submittedAt: true, createdAt: true },
        })
      : [];
    const sent = others.map((o) => (o.submittedAt ?? o.createdAt).getTime());
    const gate = railGate(gateway.name, gateway.limits, {
      paidAt: new Date(call.paidAt),
      now,
      priorRefunds: others.length,
      lastSubmittedAt: sent.length > 0 ? new Date(Math.max(...sent)) : null,
    });
    if (gate.action === 'send' && recordsSendTime(gateway.limits)) {
      await markRefundSubmitted(prisma, call.refundId, now);
    }
    return gate;
  }

  /** What paying out a stored refund needs; null unless it is still pending. */
  private async payoutContextOf(db: Tx | PrismaClient, refundId: string): Promise<PayoutContext | null> {
    const refund = await db.refund.findUnique({
      where: { id: refundId },
      include: {
        order: { select: { amountMinor: true, paymentTotalMinor: true, paidAt: true, product: { select: { title: true } }, buyer: { select: { name: true, locale: true } } } },
        refundRequest: { select: { id: true, buyerId: true, reasonCode: true } },
      },
    });
    if (!refund || refund.status !== 'pending') return null;
    // Sequential: `db` may be a transaction, whose one connection runs one query at a time.
    const entries = await orderLedger(db, refund.orderId);
    const refundedBefore = await db.refund.aggregate({ where: { orderId: refund.orderId, status: 'succeeded', id: { not: refundId } }, _sum: { amountMinor: true } });
    return {
      call: {
        refundId,
        orderId: refund.orderId,
        method: refund.paymentMethod,
        transactionId: refund.transactionId,
        amountMinor: refund.amountMinor,
        totalMinor: refund.order.paymentTotalMinor ?? refund.order.amountMinor,
        currency: refund.currency,
        paidAt: refund.order.paidAt.toISOString(),
      },
      requestId: refund.refundRequest.id,
      buyerId: refund.refundRequest.buyerId,
      locale: localeOrDefault(refund.order.buyer.locale),
      commissions: {
        entries,
        locales: await beneficiaryLocales(db, [...new Set(entries.map((e) => e.beneficiaryId))]),
        notice: { orderId: refund.orderId, productTitle: refund.order.product.title, buyerName: refund.order.buyer.name, reasonCode: refund.refundRequest.reasonCode },
        orderAmountMinor: refund.order.amountMinor,
        refundedBeforeMinor: refundedBefore._sum.amountMinor ?? 0,
      },
    };
  }

  private async payoutState(refundId: string): Promise<PayoutState> {
    const refund = await this.deps.prisma.refund.findUnique({ where: { id: refundId }, include: { refundRequest: { select: { status: true } } } });
    return {
      refundStatus: refund?.status ?? 'pending',
      requestStatus: refund?.refundRequest.status ?? 'refund_pending',
      gatewayRef: refund?.gatewayRef ?? null,
    };
  }

  /** Records what the gateway said. Moves forward only: a settled refund is never changed again. */
  async recordPayout(refundId: string, result: PayoutResult, known?: PayoutContext): Promise<PayoutState> {
    const { prisma, log } = this.deps;
    const now = this.now();
    const context = known ?? (await this.payoutContextOf(prisma, refundId));
    if (!context) return this.payoutState(refundId);
    const { call, requestId, buyerId, locale } = context;
    if (result.status !== 'succeeded') log.warn({ refundId, result }, 'refund not settled by the gateway call');

    if (result.status === 'succeeded') {
      const amount = {
        zh: formatMoney({ amountMinor: call.amountMinor, currency: call.currency }, 'zh'),
        en: formatMoney({ amountMinor: call.amountMinor, currency: call.currency }, 'en'),
      };
      // One statement, guarded by status: of two recorders (the request and the completion job),
      // one settles it. The platform is told to revoke access, so a refunded good stops working.
      const settled = await settleRefundSucceeded(this.deps.sql, {
        now,
        refundId,
        gatewayRef: result.gatewayRef,
        requestId,
        buyerId,
        notice: buyerNoticeRow('refund.succeeded', requestId, locale, succeededText(amount), { refundId, amountMinor: call.amountMinor }),
        // M14: what the refund takes back from each commission: voided, or clawed back if paid out.
        commissions: this.change(
          settleRefund(foldCommissions(context.commissions.entries), {
            requestId,
            refundedTotalMinor: context.commissions.refundedBeforeMinor + call.amountMinor,
            orderAmountMinor: context.commissions.orderAmountMinor,
            reason: `refund ${refundId} succeeded`,
          }),
          context.commissions,
        ),
        outbox: {
          id: newId('obx'),
          topic: 'platform.callback',
          dedupeKey: `access.revoke:${refundId}`,
          payload: { type: 'access.revoke', orderId: call.orderId, refundRequestId: requestId, refundId, amountMinor: call.amountMinor, currency: call.currency },
        },
      });
      return settled ? { refundStatus: 'succeeded', requestStatus: 'refunded', gatewayRef: result.gatewayRef } : this.payoutState(refundId);
    }

    const state = await prisma.$transaction(async (tx): Promise<PayoutState | null> => {
      if (result.status === 'failed') {
        if (!(await settleRefundFailed(tx, { refundId, requestId, reason: result.reason, now }))) return null;
        await openRefundHandoff(tx, { requestId, buyerId, orderId: call.orderId, kind: 'policy_review', reason: `refund_failed: ${result.reason}` });
        await writeBuyerNotice(tx, buyerId, buyerNoticeRow('refund.failed', requestId, locale, REFUND_FAILED_TEXT));
        return { refundStatus: 'failed', requestStatus: 'refund_failed', gatewayRef: null };
      }
      // Pending at the provider, or unknown: the request waits; completePending() finishes it.
      const gatewayRef = result.status === 'pending' ? result.gatewayRef : null;
      await notePending(tx, refundId, { gatewayRef, lastError: result.status === 'unknown' ? result.error : null });
      return { refundStatus: 'pending', requestStatus: 'refund_pending', gatewayRef };
    });
    return state ?? this.payoutState(refundId);
  }

  /**
   * Finishes refunds left pending (a hang, a crash after the gateway answered, "processing" at the
   * provider): asks the gateway by idempotency key; pays only if the provider holds no settled
   * refund under it, under the same key, at most MAX_PAYOUT_RESENDS times: then a person is given
   * it (an alert and a handoff), and the desk only keeps asking. A rail that asks for a lower rate
   * is sent nothing more in this run; a rail that wants time before a query gets it.
   */
  async completePending(options: { olderThanMs?: number; limit?: number } = {}): Promise<number> {
    const { prisma } = this.deps;
    const now = this.now();
    const cutoff = new Date(now.getTime() - (options.olderThanMs ?? this.pendingGraceMs()));
    const pending = await prisma.refund.findMany({
      where: { status: 'pending', updatedAt: { lte: cutoff } },
      orderBy: { updatedAt: 'asc' },
      take: options.limit ?? 100,
      select: { id: true, paymentMethod: true, transactionId: true, gatewayRef: true, submittedAt: true, attempts: true, escalatedAt: true },
    });
    const slowedDown = new Set<string>();
    let settled = 0;
    for (const refund of pending) {
      const gateway = this.deps.gateways.for(refund.paymentMethod);
      if (!gateway || slowedDown.has(gateway.name)) continue;
      // On rails that record the send time, a refund without one was never sent (it waited for the
      // rail's interval, or the process died before the call): nothing to ask, it is sent below.
      const neverSent = recordsSendTime(gateway.limits) && !refund.submittedAt;
      const queryDelayMs = gateway.limits?.queryDelayMs ?? 0;
      if (!neverSent && refund.submittedAt && now.getTime() - refund.submittedAt.getTime() < queryDelayMs) continue;
      let answer: QueryOutcome = { status: 'not_found' };
      if (!neverSent) {
        try {
          answer = await gateway.query(
            { refundId: refund.id, transactionId: refund.transactionId, gatewayRef: refund.gatewayRef },
            AbortSignal.timeout((this.deps.retry ?? DEFAULT_RETRY).timeoutMs),
          );
        } catch (error) {
          if (error instanceof TransientGatewayError && error.rateLimited) slowedDown.add(gateway.name);
          this.deps.log.warn({ refundId: refund.id, err: (error as Error).message }, 'refund status query failed; will ask again');
          await noteQueryFailed(prisma, refund.id, (error as Error).message);
          continue;
        }
      }
      if (answer.status === 'pending') {
        await noteGatewayRef(prisma, refund.id, answer.gatewayRef);
        continue;
      }
      if (answer.status === 'not_found' && (refund.escalatedAt || refund.attempts > MAX_PAYOUT_RESENDS)) {
        // A person has it (or gets it now): the desk sends nothing more, so that person can act at the
        // provider without racing it; a settlement the provider reports later is still recorded.
        const why = answer.detail ?? `${gateway.name} has no refund under this key`;
        await this.escalate(refund.id, 'unsettled', `${why}; sent ${refund.attempts} times under the same key (${refund.id}). Check it at the provider before refunding by hand`);
        continue;
      }
      // not_found: the provider never received it (never sent, a crash before the call, the call
      // never arrived; Alipay: not received or failed), so it is paid out now under the same key;
      // otherwise the answer is recorded.
      const after = answer.status === 'not_found' ? await this.executeRefund(refund.id) : await this.recordPayout(refund.id, answer);
      if (after.rateLimited) slowedDown.add(gateway.name);
      if (after.refundStatus !== 'pending') settled += 1;
    }
    return settled;
  }

  /**
   * Refunds pending longer than their rail's usual settlement time (settlement-times.ts): each gets
   * one alert and one handoff, however often this runs and on however many instances. Returns how
   * many were flagged now.
   */
  async flagOverdue(limit = 100): Promise<number> {
    const now = this.now();
    let flagged = 0;
    for (const method of PAYMENT_METHODS) {
      const rail = this.deps.gateways.for(method)?.name ?? method;
      const settlement = settlementOf(rail);
      const overdue = await this.deps.prisma.refund.findMany({
        where: { status: 'pending', escalatedAt: null, paymentMethod: method, createdAt: { lte: new Date(now.getTime() - settlement.overdueAfterMs) } },
        orderBy: { createdAt: 'asc' },
        take: limit,
        select: { id: true, createdAt: true },
      });
      for (const refund of overdue) {
        const waited = humanDuration(now.getTime() - refund.createdAt.getTime());
        const detail = `pending for ${waited}, past ${rail}'s usual settlement time of ${humanDuration(settlement.overdueAfterMs)} (${settlement.why})`;
        if (await this.escalate(refund.id, 'overdue', detail)) flagged += 1;
      }
    }
    return flagged;
  }

  /**
   * Gives a pending refund to a person, once: marks it (a guarded update, so of several instances
   * one does it), opens a handoff with the reason and queues the alert (log, metric, Slack's risk
   * channel) in the same transaction. False when it was given to a person before.
   */
  private async escalate(refundId: string, kind: 'overdue' | 'unsettled', detail: string): Promise<boolean> {
    const now = this.now();
    const refund = await this.deps.prisma.refund.findUnique({
      where: { id: refundId },
      select: { id: true, status: true, escalatedAt: true, amountMinor: true, currency: true, paymentMethod: true, gatewayRef: true, orderId: true, refundRequest: { select: { id: true, buyerId: true } } },
    });
    if (!refund || refund.status !== 'pending' || refund.escalatedAt) return false;
    const provider = (this.deps.gateways.for(refund.paymentMethod)?.name ?? refund.paymentMethod) as PaymentAlert['provider'];
    const alert: PaymentAlert = { provider, kind, providerRefundId: refund.gatewayRef ?? 'none yet', deskRefundId: refundId, amountMinor: refund.amountMinor, currency: refund.currency, detail: `refund ${refundId} ${detail}` };
    const escalated = await this.deps.prisma.$transaction(async (tx) => {
      if (!(await markRefundEscalated(tx, refundId, now))) return false;
      await openRefundHandoff(tx, { requestId: refund.refundRequest.id, buyerId: refund.refundRequest.buyerId, orderId: refund.orderId, kind: 'policy_review', reason: `refund_${kind}: ${detail}`.slice(0, 1_000) });
      await queueAlert(tx, { id: newId('obx'), topic: PAYMENT_ALERT_TOPIC, dedupeKey: `${PAYMENT_ALERT_TOPIC}:${kind}:${refundId}`, payload: alert as unknown as Record<string, unknown> });
      return true;
    });
    if (escalated) this.deps.log.error({ refundId, kind, detail }, 'refund given to a person: it did not settle');
    return escalated;
  }

  /**
   * How long a pending refund is left to the request paying it out before the job takes over:
   * longer than every attempt timing out plus the backoffs, so the two never overlap.
   */
  pendingGraceMs(): number {
    const retry = this.deps.retry ?? DEFAULT_RETRY;
    return Math.max(30_000, retry.attempts * retry.timeoutMs + 10_000);
  }

  // ---------------------------------------------------------------------------------------------
  // Cancel and read

  async cancel(requestId: string, buyerId?: string): Promise<RefundRequestView> {
    const { prisma } = this.deps;
    const request = await prisma.refundRequest.findUnique({ where: { id: requestId } });
    if (!request) throw notFound('refund_request_not_found', `Refund request ${requestId} does not exist`);
    if (buyerId && request.buyerId !== buyerId) throw forbidden('not_request_owner', 'This refund request belongs to another buyer');
    if (request.status === 'cancelled') return this.view(requestId);
    if (!isCancellable(request.status)) {
      throw conflict('refund_not_cancellable', `A request that is ${request.status} can no longer be withdrawn`, { status: request.status });
    }
    const now = this.now();
    await prisma.$transaction(async (tx) => {
      if (!(await withdrawRequest(tx, { requestId, fromStatus: request.status, now }))) {
        throw conflict('refund_request_changed', 'The request changed while it was being withdrawn; try again');
      }
      await resolveRefundHandoffs(tx, requestId, now);
      // M14: a withdrawn request releases what it froze.
      const entries = await orderLedger(tx, request.orderId);
      const order = await tx.order.findUniqueOrThrow({ where: { id: request.orderId }, select: { product: { select: { title: true } }, buyer: { select: { name: true } } } });
      const locales = await beneficiaryLocales(tx, [...new Set(entries.map((e) => e.beneficiaryId))]);
      await applyLedgerChange(
        tx,
        ledgerChange(release(foldCommissions(entries), requestId, 'refund request withdrawn'), {
          orderId: request.orderId,
          productTitle: order.product.title,
          buyerName: order.buyer.name,
          reasonCode: request.reasonCode,
        }, (id) => locales[id] ?? 'zh'),
      );
      const buyer = await tx.buyer.findUnique({ where: { id: request.buyerId }, select: { locale: true } });
      await writeBuyerNotice(tx, request.buyerId, buyerNoticeRow('refund.cancelled', requestId, localeOrDefault(buyer?.locale), CANCELLED_TEXT));
    });
    return this.view(requestId);
  }

  async view(requestId: string): Promise<RefundRequestView> {
    const view = await loadView(this.deps.prisma, requestId);
    if (!view) throw notFound('refund_request_not_found', `Refund request ${requestId} does not exist`);
    return view;
  }
}
