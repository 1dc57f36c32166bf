// The refund request as API.md shows it (the current state, its latest decision and refund), and
// the appeal it offers (M3): a link the buyer's client follows to put the case before a person.
import type { PrismaClient } from '../store/index.ts';

export interface AppealLink {
  href: string;
  method: 'POST';
}

export interface RefundRequestView {
  id: string;
  orderId: string;
  buyerId: string;
  status: string;
  outcome: string | null;
  reasonCode: string | null;
  reasonText: string | null;
  channel: string;
  refund: { id: string; amountMinor: number; currency: string; status: string; gatewayRef: string | null } | null;
  explanation: { zh: string; en: string } | null;
  rules: Array<{ id: string; result: string; detail: string }>;
  policy: { id: string; version: number } | null;
  handoff: { id: string; kind: string; status: string } | null;
  /**
   * Contract v1 addition: where the buyer appeals a refusal (`POST`, RefundWorkflow.appeal). Null
   * when no appeal is offered (not refused, or refused by a person) or one is already open (a
   * refusal by the usage conditions opens it at once, M22).
   */
  appeal: AppealLink | null;
  createdAt: string;
  updatedAt: string;
}

export const appealLink = (requestId: string): AppealLink => ({ href: `/v1/refund-requests/${requestId}/appeal`, method: 'POST' });

/** The policy refused it, the refusal offers the appeal, and nobody has taken it to a person yet. */
export function appealOffered(r: { id: string; status: string }, latestActor: string | null, handoffKinds: string[]): AppealLink | null {
  return r.status === 'rejected' && latestActor === 'policy' && !handoffKinds.includes('appeal') ? appealLink(r.id) : null;
}

export async function loadView(prisma: PrismaClient, requestId: string): Promise<RefundRequestView | null> {
  const r = await prisma.refundRequest.findUnique({
    where: { id: requestId },
    include: {
      decisions: { orderBy: { createdAt: 'desc' }, take: 1 },
      refunds: { orderBy: { createdAt: 'desc' }, take: 1 },
      handoffs: { orderBy: { createdAt: 'desc' }, select: { id: true, kind: true, status: true } },
    },
  });
  if (!r) return null;
  const decision = r.decisions[0];
  const refund = r.refunds[0];
  const handoff = r.handoffs[0];
  return {
    id: r.id,
    orderId: r.orderId,
    buyerId: r.buyerId,
    status: r.status,
    outcome: r.outcome,
    reasonCode: r.reasonCode,
    reasonText: r.reasonText,
    channel: r.channel,
    refund: refund
      ? { id: refund.id, amountMinor: refund.amountMinor, currency: refund.currency, status: refund.status, gatewayRef: refund.gatewayRef }
      : null,
    explanation: decision ? { zh: decision.explanationZh, en: decision.explanationEn } : null,
    rules: decision ? (decision.rules as RefundRequestView['rules']) : [],
    policy: decision ? { id: decision.policyId, version: decision.policyVersion } : null,
    handoff: handoff ? { id: handoff.id, kind: handoff.kind, status: handoff.status } : null,
    appeal: appealOffered(
      r,
      decision?.actor ?? null,
      r.handoffs.map((h) => h.kind),
    ),
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}
