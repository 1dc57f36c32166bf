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
import { ledgerChange } from '../commission/index.ts';
import { applyLedgerChange, beneficiaryLocales, orderLedger } from '../commission/index.ts';
import { foldCommissions, release, settleRefund } from '../commission/index.ts';
import { conflict, forbidden, notFound } from '../errors.ts';
import type { Prisma } from '../generated/prisma/client.ts';
import { newId } from '../ids.ts';
import type { Logger } from '../logger.ts';
import { formatMoney } from '../domain/index.ts';
import { localeOrDefault, PAYMENT_METHODS } from '../domain/index.ts';
import { refundWithRetries, type PayoutResult, type RetryOptions, DEFAULT_RETRY } from '../payments/index.ts';
import { unconfiguredRail, type GatewayRouter } from '../payments/index.ts';
import { recordsSendTime, TransientGatewayError, type PaymentGateway, type QueryOutcome, type RefundCall } from '../payments/index.ts';
import { PAYMENT_ALERT_TOPIC, type PaymentAlert } from '../payments/index.ts';
import { humanDuration, settlementOf } from '../payments/index.ts';
import { railGate, type RailGate } from '../payments/index.ts';
import type { RiskAssessor } from '../risk/index.ts';
import type { PrismaClient } from '../store/index.ts';
import type { SqlRunner } from '../store/index.ts';
import type { UsageService } from '../usage/index.ts';
import { CANCELLED_TEXT, REFUND_FAILED_TEXT, succeededText } from './buyer-notices.ts';
import type { RefundRequestBody } from './refund-schemas.ts';
import {
  buyerNoticeRow,
  countPayoutAttempt,
  markRefundEscalated,
  markRefundSubmitted,
  noteGatewayRef,
  notePending,
  noteQueryFailed,
  openRefundHandoff,
  queueAlert,
  resolveRefundHandoffs,
  settleRefundFailed,
  settleRefundSucceeded,
  withdrawRequest,
  writeBuyerNotice,
} from './refund-store.ts';
import { openAppeal } from './refund-appeal.ts';
import { isCancellable } from './refund-states.ts';
import { loadView, type RefundRequestView } from './refund-view.ts';
import {
  commissionChange,
  decideRequest,
  gatherFacts,
  payOut,
  persist,
  settleAndTell,
  type PayoutContext,
  type PayoutState,
  type ReasonClassifier,
  type RefundRequestResult,
  type StepDeps,
} from './request-steps.ts';

export type { PayoutState, ReasonClassifier, RefundRequestResult };

type Tx = Prisma.TransactionClient;

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

  /**
   * A refund request, as its steps (request-steps.ts): gather facts → decide → persist → pay out (the
   * point of no return) → settle and tell.
   */
  async request(input: RefundRequestBody): Promise<RefundRequestResult> {
    const deps = this.stepDeps;
    const facts = await gatherFacts(deps, input);
    if ('repeat' in facts) return facts.repeat;
    const decided = decideRequest(facts.gathered);
    const written = await persist(deps, decided);
    if ('lost' in written) return written.lost;
    const paid = await payOut((refundId, known) => this.executeRefund(refundId, known), written.persisted);
    return settleAndTell(deps, paid);
  }

  private get stepDeps(): StepDeps {
    const { prisma, sql, log, usage, risk, gateways, classifyReason } = this.deps;
    return { prisma, sql, log, usage, risk, gateways, classifyReason, now: this.now, view: (id) => this.view(id) };
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
          where: {
            transactionId: call.transactionId,
            paymentMethod: call.method,
            id: { not: call.refundId },
            OR: [{ status: 'succeeded' }, { status: 'pending', submittedAt: { not: null } }],
          },
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
        order: {
          select: {
            amountMinor: true,
            paymentTotalMinor: true,
            paidAt: true,
            product: { select: { title: true } },
            buyer: { select: { name: true, locale: true } },
          },
        },
        refundRequest: { select: { id: true, buyerId: true, reasonCode: true } },
      },
    });
    if (!refund || refund.status !== 'pending') return null;
    // Sequential: `db` may be a transaction, whose one connection runs one query at a time.
    const entries = await orderLedger(db, refund.orderId);
    const refundedBefore = await db.refund.aggregate({
      where: { orderId: refund.orderId, status: 'succeeded', id: { not: refundId } },
      _sum: { amountMinor: true },
    });
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
        notice: {
          orderId: refund.orderId,
          productTitle: refund.order.product.title,
          buyerName: refund.order.buyer.name,
          reasonCode: refund.refundRequest.reasonCode,
        },
        orderAmountMinor: refund.order.amountMinor,
        refundedBeforeMinor: refundedBefore._sum.amountMinor ?? 0,
      },
    };
  }

  private async payoutState(refundId: string): Promise<PayoutState> {
    const refund = await this.deps.prisma.refund.findUnique({
      where: { id: refundId },
      include: { refundRequest: { select: { status: true } } },
    });
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
        commissions: commissionChange(
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
          payload: {
            type: 'access.revoke',
            orderId: call.orderId,
            refundRequestId: requestId,
            refundId,
            amountMinor: call.amountMinor,
            currency: call.currency,
          },
        },
      });
      return settled ? { refundStatus: 'succeeded', requestStatus: 'refunded', gatewayRef: result.gatewayRef } : this.payoutState(refundId);
    }

    const state = await prisma.$transaction(async (tx): Promise<PayoutState | null> => {
      if (result.status === 'failed') {
        if (!(await settleRefundFailed(tx, { refundId, requestId, reason: result.reason, now }))) return null;
        await openRefundHandoff(tx, {
          requestId,
          buyerId,
          orderId: call.orderId,
          kind: 'policy_review',
          reason: `refund_failed: ${result.reason}`,
        });
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
      select: {
        id: true,
        paymentMethod: true,
        transactionId: true,
        gatewayRef: true,
        submittedAt: true,
        attempts: true,
        escalatedAt: true,
      },
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
        await this.escalate(
          refund.id,
          'unsettled',
          `${why}; sent ${refund.attempts} times under the same key (${refund.id}). Check it at the provider before refunding by hand`,
        );
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
        where: {
          status: 'pending',
          escalatedAt: null,
          paymentMethod: method,
          createdAt: { lte: new Date(now.getTime() - settlement.overdueAfterMs) },
        },
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
      select: {
        id: true,
        status: true,
        escalatedAt: true,
        amountMinor: true,
        currency: true,
        paymentMethod: true,
        gatewayRef: true,
        orderId: true,
        refundRequest: { select: { id: true, buyerId: true } },
      },
    });
    if (!refund || refund.status !== 'pending' || refund.escalatedAt) return false;
    const provider = (this.deps.gateways.for(refund.paymentMethod)?.name ?? refund.paymentMethod) as PaymentAlert['provider'];
    const alert: PaymentAlert = {
      provider,
      kind,
      providerRefundId: refund.gatewayRef ?? 'none yet',
      deskRefundId: refundId,
      amountMinor: refund.amountMinor,
      currency: refund.currency,
      detail: `refund ${refundId} ${detail}`,
    };
    const escalated = await this.deps.prisma.$transaction(async (tx) => {
      if (!(await markRefundEscalated(tx, refundId, now))) return false;
      await openRefundHandoff(tx, {
        requestId: refund.refundRequest.id,
        buyerId: refund.refundRequest.buyerId,
        orderId: refund.orderId,
        kind: 'policy_review',
        reason: `refund_${kind}: ${detail}`.slice(0, 1_000),
      });
      await queueAlert(tx, {
        id: newId('obx'),
        topic: PAYMENT_ALERT_TOPIC,
        dedupeKey: `${PAYMENT_ALERT_TOPIC}:${kind}:${refundId}`,
        payload: alert as unknown as Record<string, unknown>,
      });
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
      throw conflict('refund_not_cancellable', `A request that is ${request.status} can no longer be withdrawn`, {
        status: request.status,
      });
    }
    const now = this.now();
    await prisma.$transaction(async (tx) => {
      if (!(await withdrawRequest(tx, { requestId, fromStatus: request.status, now }))) {
        throw conflict('refund_request_changed', 'The request changed while it was being withdrawn; try again');
      }
      await resolveRefundHandoffs(tx, requestId, now);
      // M14: a withdrawn request releases what it froze.
      const entries = await orderLedger(tx, request.orderId);
      const order = await tx.order.findUniqueOrThrow({
        where: { id: request.orderId },
        select: { product: { select: { title: true } }, buyer: { select: { name: true } } },
      });
      const locales = await beneficiaryLocales(tx, [...new Set(entries.map((e) => e.beneficiaryId))]);
      await applyLedgerChange(
        tx,
        ledgerChange(
          release(foldCommissions(entries), requestId, 'refund request withdrawn'),
          {
            orderId: request.orderId,
            productTitle: order.product.title,
            buyerName: order.buyer.name,
            reasonCode: request.reasonCode,
          },
          (id) => locales[id] ?? 'zh',
        ),
      );
      const buyer = await tx.buyer.findUnique({ where: { id: request.buyerId }, select: { locale: true } });
      await writeBuyerNotice(
        tx,
        request.buyerId,
        buyerNoticeRow('refund.cancelled', requestId, localeOrDefault(buyer?.locale), CANCELLED_TEXT),
      );
    });
    return this.view(requestId);
  }

  async view(requestId: string): Promise<RefundRequestView> {
    const view = await loadView(this.deps.prisma, requestId);
    if (!view) throw notFound('refund_request_not_found', `Refund request ${requestId} does not exist`);
    return view;
  }
}
