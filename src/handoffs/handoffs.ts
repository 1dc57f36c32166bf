// Opening a case for people outside a refund decision (a buyer asking for a person, a problem
// troubleshooting did not fix). The agent desk (Slack) picks these up.
import { newId } from '../ids.ts';
import type { PrismaClient } from '../store/index.ts';

export type HandoffKind = 'policy_review' | 'appeal' | 'risk_review' | 'technical' | 'buyer_request';

/** Opens a handoff unless the same buyer already has an open one of this kind for the same order. */
export async function openHandoff(
  prisma: PrismaClient,
  p: { buyerId: string; kind: HandoffKind; reason: string; orderId?: string | null; refundRequestId?: string | null },
): Promise<{ id: string; created: boolean }> {
  const open = await prisma.handoff.findFirst({
    where: { buyerId: p.buyerId, kind: p.kind, orderId: p.orderId ?? null, status: { in: ['open', 'claimed'] } },
    select: { id: true },
  });
  if (open) return { id: open.id, created: false };
  const id = newId('ho');
  await prisma.handoff.create({
    data: {
      id,
      buyerId: p.buyerId,
      kind: p.kind,
      status: 'open',
      reason: p.reason,
      orderId: p.orderId ?? null,
      refundRequestId: p.refundRequestId ?? null,
    },
  });
  return { id, created: true };
}
