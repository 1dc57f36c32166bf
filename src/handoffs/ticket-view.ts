// A handoff as an agent sees it (M16, M26): everything needed to decide without leaving the ticket,
// gathered from the database in one place. The channel renders it (channels/slack/ticket.ts) and
// reads nothing itself.
import { maskName } from '../commission/index.ts';
import { foldCommissions } from '../commission/index.ts';
import { orderLedger } from '../commission/index.ts';
import { buyerProfile } from '../risk/index.ts';
import type { PrismaClient } from '../store/index.ts';
import type { SqlRunner } from '../store/index.ts';

export interface TicketData {
  handoff: {
    id: string;
    kind: string;
    status: string;
    reason: string;
    assigneeId: string | null;
    resolution: string | null;
    createdAt: Date;
  };
  buyer: { id: string; maskedName: string; tier: string; accountAgeDays: number; refunds30d: number };
  order: { id: string; amountMinor: number; currency: string; paymentMethod: string; paidAt: Date } | null;
  product: { title: string; category: string } | null;
  request: { id: string; status: string; reasonCode: string | null; reasonText: string | null; refundableMinor: number } | null;
  usage: Record<string, unknown> | null;
  rules: Array<{ id: string; result: string; detail?: string }>;
  decidedBy: string | null;
  /** The policy version the engine decided under (issue 21); null or absent: no engine decision. */
  policy?: { id: string; version: number } | null;
  risk: Array<{ kind: string; action: string; detail: string; evidence: string }>;
  commissions: Array<{ beneficiary: string; level: number; amountMinor: number; currency: string; state: string }>;
  conversation: Array<{ direction: string; text: string; at: Date }>;
  refunds: Array<{ amountMinor: number; currency: string; status: string }>;
  /** Four-eyes approval (issue 22): the request's latest, when it had one. */
  secondApproval?: TicketApproval | null;
}

/** A four-eyes approval as the ticket shows it (issue 22, handoffs/second-approval.ts). */
export interface TicketApproval {
  id: string;
  status: string;
  amountMinor: number;
  currency: string;
  firstAgentId: string;
  secondAgentId: string | null;
}

export async function loadTicket(prisma: PrismaClient, sql: SqlRunner, handoffId: string, now = new Date()): Promise<TicketData | null> {
  const handoff = await prisma.handoff.findUnique({ where: { id: handoffId } });
  if (!handoff) return null;
  const buyer = await prisma.buyer.findUnique({ where: { id: handoff.buyerId }, select: { id: true, name: true } });
  const profile = await buyerProfile(sql, handoff.buyerId, now);
  const request = handoff.refundRequestId
    ? await prisma.refundRequest.findUnique({
        where: { id: handoff.refundRequestId },
        include: { decisions: { orderBy: { createdAt: 'asc' } }, refunds: { orderBy: { createdAt: 'asc' } } },
      })
    : null;
  const riskSignals = request
    ? await prisma.riskSignal.findMany({ where: { refundRequestId: request.id }, orderBy: { createdAt: 'asc' } })
    : [];
  const orderId = request?.orderId ?? handoff.orderId;
  const order = orderId
    ? await prisma.order.findUnique({ where: { id: orderId }, include: { product: { select: { title: true, category: true } } } })
    : null;
  // The engine's decision carries the facts it saw; an agent's later decision is in the trace too.
  const engine = request?.decisions.find((d) => d.actor === 'policy') ?? request?.decisions[0];
  const facts = (engine?.facts ?? null) as { usage?: Record<string, unknown> } | null;
  const rules = (request?.decisions ?? []).flatMap((d) => (Array.isArray(d.rules) ? (d.rules as TicketData['rules']) : []));
  const entries = order ? await orderLedger(prisma, order.id) : [];
  const names = await prisma.buyer.findMany({
    where: { id: { in: [...new Set(entries.map((e) => e.beneficiaryId))] } },
    select: { id: true, name: true },
  });
  const nameOf = new Map(names.map((n) => [n.id, n.name]));
  const conversation = await prisma.conversation.findFirst({
    where: { buyerId: handoff.buyerId },
    orderBy: { updatedAt: 'desc' },
    select: { id: true },
  });
  const messages = conversation
    ? (
        await prisma.message.findMany({
          where: { conversationId: conversation.id },
          orderBy: { id: 'desc' },
          take: 10,
          select: { direction: true, text: true, payload: true, createdAt: true },
        })
      ).reverse()
    : [];
  const secondApproval = request
    ? await prisma.secondApproval.findFirst({
        where: { refundRequestId: request.id },
        orderBy: { createdAt: 'desc' },
        select: { id: true, status: true, amountMinor: true, currency: true, firstAgentId: true, secondAgentId: true },
      })
    : null;
  const succeeded = (request?.refunds ?? [])
    .filter((r) => r.status === 'succeeded' || r.status === 'pending')
    .reduce((sum, r) => sum + r.amountMinor, 0);
  return {
    handoff: {
      id: handoff.id,
      kind: handoff.kind,
      status: handoff.status,
      reason: handoff.reason,
      assigneeId: handoff.assigneeId,
      resolution: handoff.resolution,
      createdAt: handoff.createdAt,
    },
    buyer: {
      id: handoff.buyerId,
      maskedName: maskName(buyer?.name ?? null),
      tier: profile.tier,
      accountAgeDays: profile.accountAgeDays,
      refunds30d: profile.refunds30d.count,
    },
    order: order
      ? { id: order.id, amountMinor: order.amountMinor, currency: order.currency, paymentMethod: order.paymentMethod, paidAt: order.paidAt }
      : null,
    product: order ? { title: order.product.title, category: order.product.category } : null,
    request: request
      ? {
          id: request.id,
          status: request.status,
          reasonCode: request.reasonCode,
          reasonText: request.reasonText,
          refundableMinor: Math.max(0, (order?.amountMinor ?? 0) - succeeded),
        }
      : null,
    usage: facts?.usage ?? null,
    rules,
    // The rule that decided is the decisions row's own `decidedBy` column (the facts never held it).
    decidedBy: engine ? (engine.decidedBy ?? handoff.reason) : null,
    policy: engine && engine.actor === 'policy' ? { id: engine.policyId, version: engine.policyVersion } : null,
    risk: riskSignals.map((r) => {
      const evidence = (r.evidence ?? {}) as Record<string, unknown>;
      const { detail, ...rest } = evidence;
      return {
        kind: r.kind,
        action: r.action,
        detail: typeof detail === 'string' ? detail : '',
        evidence: JSON.stringify(rest).slice(0, 300),
      };
    }),
    commissions: foldCommissions(entries).map((c) => ({
      beneficiary: maskName(nameOf.get(c.beneficiaryId) ?? null),
      level: c.level,
      amountMinor: c.accruedMinor,
      currency: c.currency,
      state: c.state,
    })),
    conversation: messages.map((m) => ({
      direction: m.direction,
      text: m.text ?? ((m.payload as { action?: string } | null)?.action ? `[${(m.payload as { action: string }).action}]` : ''),
      at: m.createdAt,
    })),
    refunds: (request?.refunds ?? []).map((r) => ({ amountMinor: r.amountMinor, currency: r.currency, status: r.status })),
    secondApproval,
  };
}

/** What an agent's partial refund is checked against: the order's currency and what is left to refund. */
export async function refundableOf(prisma: PrismaClient, handoffId: string): Promise<{ currency: string; refundableMinor: number } | null> {
  const handoff = await prisma.handoff.findUnique({ where: { id: handoffId }, select: { refundRequestId: true } });
  const request = handoff?.refundRequestId
    ? await prisma.refundRequest.findUnique({
        where: { id: handoff.refundRequestId },
        select: { order: { select: { id: true, amountMinor: true, currency: true } } },
      })
    : null;
  if (!request) return null;
  const refunded = await prisma.refund.aggregate({
    where: { orderId: request.order.id, status: { in: ['succeeded', 'pending'] } },
    _sum: { amountMinor: true },
  });
  return { currency: request.order.currency, refundableMinor: request.order.amountMinor - (refunded._sum.amountMinor ?? 0) };
}

/** What picking a troubleshooting guide for a ticket needs: the order's category and the buyer's words. */
export async function guideSubjectOf(prisma: PrismaClient, handoffId: string): Promise<{ category: string; reasonText: string } | null> {
  const handoff = await prisma.handoff.findUniqueOrThrow({ where: { id: handoffId } });
  const order = handoff.orderId
    ? await prisma.order.findUnique({ where: { id: handoff.orderId }, include: { product: { select: { category: true } } } })
    : null;
  if (!order) return null;
  const request = handoff.refundRequestId
    ? await prisma.refundRequest.findUnique({ where: { id: handoff.refundRequestId }, select: { reasonText: true } })
    : null;
  return { category: order.product.category, reasonText: request?.reasonText ?? '' };
}
