// A person's decision on a refund request (M16): approve (in full or in part) or reject with a reason.
// It goes through the same guarantees as an automatic decision: the request moves on in one guarded
// update, so a repeated click, a retried delivery or two agents at once execute it once; the decision
// is recorded with the agent as its actor; the refund is written pending before the gateway is
// called and is paid out by the workflow (commissions settled, notices, access revoked); a refusal
// releases the frozen commissions. The buyer's inbox hears the outcome in their language; the agent
// desk tells their chat.
import type { Locale } from '../domain/index.ts';
import { localeOrDefault } from '../domain/index.ts';
import { formatMoney } from '../domain/index.ts';
import { conflict, invalid, notFound } from '../errors.ts';
import { newId } from '../ids.ts';
import type { Logger } from '../logger.ts';
import type { Bilingual } from '../policy/index.ts';
import type { PrismaClient } from '../store/index.ts';
import { foldCommissions, release } from '../commission/index.ts';
import { ledgerChange } from '../commission/index.ts';
import { applyLedgerChange, beneficiaryLocales, orderLedger } from '../commission/index.ts';
import {
  buyerNoticeRow,
  insertAgentDecision,
  insertPendingRefund,
  moveByAgent,
  resolveRefundHandoffs,
  writeBuyerNotice,
} from './refund-store.ts';
import { isDecidable, isPaid } from './refund-states.ts';
import type { PayoutState, RefundWorkflow } from './refund-workflow.ts';
import type { RefundRequestView } from './refund-view.ts';

export const REJECTION_TEMPLATES = {
  window: {
    label: { zh: '超出退款期限', en: 'Outside the refund window' },
    text: {
      zh: '人工客服已复核您的申请：该订单已超出退款期限，很抱歉无法退款。',
      en: 'A member of our team reviewed your request: the order is outside the refund window, so we cannot refund it. Sorry.',
    },
  },
  used: {
    label: { zh: '使用超出政策范围', en: 'Used beyond the policy' },
    text: {
      zh: '人工客服已复核您的申请：商品的使用程度已超出退款政策允许的范围，很抱歉无法退款。',
      en: 'A member of our team reviewed your request: the product has been used beyond what the refund policy allows, so we cannot refund it. Sorry.',
    },
  },
  risk: {
    label: { zh: '未通过风险审核', en: 'Did not pass the risk review' },
    text: {
      zh: '人工客服已复核您的申请：本次申请未能通过风险审核，无法退款。如有疑问可以继续在这里留言。',
      en: 'A member of our team reviewed your request: it did not pass our risk review, so we cannot refund it. You can reply here if you have questions.',
    },
  },
  solved: {
    label: { zh: '问题已解决', en: 'Problem solved' },
    text: {
      zh: '人工客服已复核您的申请：问题已经解决，本次不予退款。祝您使用愉快！',
      en: 'A member of our team reviewed your request: the problem is solved, so no refund is made. Enjoy!',
    },
  },
} satisfies Record<string, { label: Bilingual; text: Bilingual }>;

export type RejectionTemplate = keyof typeof REJECTION_TEMPLATES;

export interface Agent {
  id: string;
  name?: string | null;
}

export interface AgentOutcome {
  /** False when the request had already been decided (a repeat): nothing was done this time. */
  executed: boolean;
  view: RefundRequestView;
  /** What the buyer is told, in both languages; null for a repeat. */
  told: Bilingual | null;
  locale: Locale;
  payout?: PayoutState;
}

class AlreadyDecided extends Error {}

export class AgentDecisions {
  constructor(private readonly deps: { prisma: PrismaClient; workflow: RefundWorkflow; log: Logger; now?: () => Date }) {}

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  private async load(requestId: string) {
    const request = await this.deps.prisma.refundRequest.findUnique({
      where: { id: requestId },
      include: { order: { include: { product: { select: { title: true } }, buyer: { select: { name: true, locale: true } } } } },
    });
    if (!request) throw notFound('refund_request_not_found', `Refund request ${requestId} does not exist`);
    return request;
  }

  private async repeat(requestId: string, locale: Locale): Promise<AgentOutcome> {
    return { executed: false, view: await this.deps.workflow.view(requestId), told: null, locale };
  }

  /** `cosign`: the second agent of a four-eyes approval (handoffs/second-approval.ts); the record keeps both. */
  async approve(requestId: string, agent: Agent, amountMinor?: number, cosign?: { secondApprover: Agent }): Promise<AgentOutcome> {
    const { prisma } = this.deps;
    const request = await this.load(requestId);
    const locale = localeOrDefault(request.order.buyer.locale);
    if (!isDecidable(request.status) || request.closedAt) {
      if (isPaid(request.status) || request.closedAt) return this.repeat(requestId, locale);
      throw conflict('refund_request_not_decidable', `A request that is ${request.status} cannot be approved`, { status: request.status });
    }
    const refunded = await prisma.refund.aggregate({
      where: { orderId: request.orderId, status: { in: ['succeeded', 'pending'] } },
      _sum: { amountMinor: true },
    });
    const remaining = request.order.amountMinor - (refunded._sum.amountMinor ?? 0);
    const amount = amountMinor ?? remaining;
    if (!Number.isInteger(amount) || amount < 1 || amount > remaining) {
      throw invalid('amount_out_of_range', `The refund must be a whole number of minor units from 1 to ${remaining}`, 'amountMinor');
    }
    const money = { amountMinor: amount, currency: request.order.currency };
    const told: Bilingual = {
      zh: `人工客服已复核并批准您的退款：${formatMoney(money, 'zh')}将原路退回您的原支付账户。`,
      en: `A member of our team reviewed your request and approved the refund: ${formatMoney(money, 'en')} goes back the way you paid.`,
    };
    const refundId = newId('rf');
    const now = this.now();
    try {
      await prisma.$transaction(async (tx) => {
        // The one guarded step: of several clicks or agents, one moves the request on.
        if (!(await moveByAgent(tx, { requestId, fromStatus: request.status, orderId: request.orderId, outcome: 'approved', now })))
          throw new AlreadyDecided();
        await insertAgentDecision(tx, {
          requestId,
          agentId: agent.id,
          outcome: 'approved',
          facts: {
            agent: agent.id,
            previousStatus: request.status,
            amountMinor: amount,
            remainingMinor: remaining,
            ...(cosign ? { secondApprover: cosign.secondApprover.id, approvers: [agent.id, cosign.secondApprover.id] } : {}),
          },
          rule: {
            id: 'agent.review',
            result: 'pass',
            detail: `approved by ${agent.name ?? agent.id}${cosign ? `, confirmed by ${cosign.secondApprover.name ?? cosign.secondApprover.id}` : ''}${amount < remaining ? ` (partial: ${amount} of ${remaining})` : ''}`,
          },
          explanation: told,
          policy: { id: request.policyId, version: request.policyVersion },
          now,
        });
        await insertPendingRefund(tx, {
          id: refundId,
          requestId,
          orderId: request.orderId,
          amountMinor: amount,
          currency: request.order.currency,
          paymentMethod: request.order.paymentMethod,
          transactionId: request.order.paymentTransactionId,
        });
        await resolveRefundHandoffs(tx, requestId, now, 'approved');
        await writeBuyerNotice(tx, request.buyerId, buyerNoticeRow('refund.reviewed', requestId, locale, told));
      });
    } catch (error) {
      if (error instanceof AlreadyDecided) return this.repeat(requestId, locale);
      throw error;
    }
    this.deps.log.info({ requestId, refundId, agent: agent.id, amountMinor: amount }, 'refund approved by an agent');
    const payout = await this.deps.workflow.executeRefund(refundId);
    return { executed: true, view: await this.deps.workflow.view(requestId), told, locale, payout };
  }

  /** `context.approvalOf`: the agent whose four-eyes approval this refusal overrides (handoffs/second-approval.ts). */
  async reject(requestId: string, agent: Agent, template: RejectionTemplate, context?: { approvalOf: Agent }): Promise<AgentOutcome> {
    const { prisma } = this.deps;
    const request = await this.load(requestId);
    const locale = localeOrDefault(request.order.buyer.locale);
    if (!isDecidable(request.status) || request.closedAt) {
      if (request.closedAt || isPaid(request.status) || request.status === 'cancelled') return this.repeat(requestId, locale);
      throw conflict('refund_request_not_decidable', `A request that is ${request.status} cannot be rejected`, { status: request.status });
    }
    const told = REJECTION_TEMPLATES[template].text;
    const now = this.now();
    try {
      await prisma.$transaction(async (tx) => {
        if (!(await moveByAgent(tx, { requestId, fromStatus: request.status, orderId: request.orderId, outcome: 'rejected', now })))
          throw new AlreadyDecided();
        await insertAgentDecision(tx, {
          requestId,
          agentId: agent.id,
          outcome: 'rejected',
          facts: { agent: agent.id, previousStatus: request.status, template, ...(context ? { approvalOf: context.approvalOf.id } : {}) },
          rule: {
            id: 'agent.review',
            result: 'fail',
            detail: `rejected by ${agent.name ?? agent.id}${context ? ` (instead of ${context.approvalOf.name ?? context.approvalOf.id}'s approval)` : ''}: ${REJECTION_TEMPLATES[template].label.en}`,
          },
          explanation: told,
          policy: { id: request.policyId, version: request.policyVersion },
          now,
        });
        // M14: the request ends without a refund: what it froze is payable again.
        const entries = await orderLedger(tx, request.orderId);
        const locales = await beneficiaryLocales(tx, [...new Set(entries.map((e) => e.beneficiaryId))]);
        await applyLedgerChange(
          tx,
          ledgerChange(
            release(foldCommissions(entries), requestId, `refund refused by an agent (${template})`),
            {
              orderId: request.orderId,
              productTitle: request.order.product.title,
              buyerName: request.order.buyer.name,
              reasonCode: request.reasonCode,
            },
            (id) => locales[id] ?? 'zh',
          ),
        );
        await resolveRefundHandoffs(tx, requestId, now, `rejected:${template}`);
        await writeBuyerNotice(tx, request.buyerId, buyerNoticeRow('refund.reviewed', requestId, locale, told));
      });
    } catch (error) {
      if (error instanceof AlreadyDecided) return this.repeat(requestId, locale);
      throw error;
    }
    this.deps.log.info({ requestId, agent: agent.id, template }, 'refund rejected by an agent');
    return { executed: true, view: await this.deps.workflow.view(requestId), told, locale };
  }
}
