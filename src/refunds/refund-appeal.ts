// The buyer takes the appeal a refusal offered (M3, M16): a person gets the case. A refusal past the
// windows (by them or by a key-action lock) or by a risk block offers the appeal and opens nothing by itself;
// the buyer's appeal opens one `appeal` handoff, which the agent desk picks up with the decision,
// its facts and trace, the buyer's words and the conversation. Once per request: the request row is
// locked while the appeal is opened, and a request that already has an appeal (a repeat, or an M22
// refusal that opened one at once) answers with it.
import { conflict, forbidden, notFound } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { localeOrDefault } from '../domain/index.ts';
import { isUniqueViolation, type PrismaClient } from '../store/index.ts';
import { APPEALED_TEXT } from './buyer-notices.ts';
import { buyerNoticeRow, lockRequest, openRefundHandoff, reclaimOrder, writeBuyerNotice } from './refund-store.ts';
import { appealOffered } from './refund-view.ts';

export interface AppealInput {
  requestId: string;
  /** Who appeals, when the caller knows: it must be the request's buyer. */
  buyerId?: string | undefined;
  /** The buyer's own words, for the agent. */
  text?: string | undefined;
}

/** An agent decided meanwhile, or the request moved on: the appeal is no longer offered. */
class NotOffered extends Error {
  constructor(readonly status: string) {
    super(status);
  }
}

export async function openAppeal(
  deps: { prisma: PrismaClient; log: Logger; now: Date },
  input: AppealInput,
): Promise<{ handoffId: string; created: boolean }> {
  const { prisma, now } = deps;
  const request = await prisma.refundRequest.findUnique({
    where: { id: input.requestId },
    select: { id: true, orderId: true, buyerId: true, status: true, activeOrderKey: true },
  });
  if (!request) throw notFound('refund_request_not_found', `Refund request ${input.requestId} does not exist`);
  if (input.buyerId && request.buyerId !== input.buyerId)
    throw forbidden('not_request_owner', 'This refund request belongs to another buyer');
  const notOffered = (status: string) =>
    conflict('appeal_not_offered', `A request that is ${status} offers no appeal: only a refusal by the policy does`, { status });
  try {
    const result = await prisma.$transaction(async (tx) => {
      // One appeal per request: concurrent appeals queue on the row and the later ones find the first.
      await lockRequest(tx, request.id);
      const existing = await tx.handoff.findFirst({
        where: { refundRequestId: request.id, kind: 'appeal' },
        orderBy: { createdAt: 'asc' },
        select: { id: true },
      });
      if (existing) return { handoffId: existing.id, created: false };
      const current = await tx.refundRequest.findUniqueOrThrow({
        where: { id: request.id },
        select: {
          status: true,
          activeOrderKey: true,
          decisions: { orderBy: { createdAt: 'desc' }, take: 1, select: { actor: true, decidedBy: true } },
        },
      });
      const latest = current.decisions[0];
      if (!appealOffered({ id: request.id, status: current.status }, latest?.actor ?? null, [])) throw new NotOffered(current.status);
      // A risk block let go of the order; the appeal takes it back for the person's decision (an
      // order another live request holds meanwhile cannot be: the unique key says so).
      if (current.activeOrderKey === null) {
        await reclaimOrder(tx, request.id, request.orderId);
      }
      const words = input.text ? ` · the buyer's words: ${input.text}` : '';
      const handoffId = await openRefundHandoff(tx, {
        requestId: request.id,
        buyerId: request.buyerId,
        orderId: request.orderId,
        kind: 'appeal',
        reason: `${latest?.decidedBy ?? 'policy'}${words}`,
      });
      const buyer = await tx.buyer.findUnique({ where: { id: request.buyerId }, select: { locale: true } });
      const locale = localeOrDefault(buyer?.locale);
      await writeBuyerNotice(tx, request.buyerId, buyerNoticeRow('refund.appealed', request.id, locale, APPEALED_TEXT, { handoffId }), now);
      return { handoffId, created: true };
    });
    if (result.created) deps.log.info({ requestId: request.id, handoffId: result.handoffId }, 'refusal appealed by the buyer');
    return result;
  } catch (error) {
    if (error instanceof NotOffered) throw notOffered(error.status);
    if (isUniqueViolation(error)) {
      const holder = await prisma.refundRequest.findUnique({
        where: { activeOrderKey: request.orderId },
        select: { id: true, status: true },
      });
      if (holder?.status === 'refunded')
        throw conflict('order_already_refunded', 'This order has already been refunded', { existingRequestId: holder.id });
      throw conflict('refund_request_open', `Another refund request for this order is ${holder?.status ?? 'open'}`, {
        existingRequestId: holder?.id ?? null,
      });
    }
    throw error;
  }
}
