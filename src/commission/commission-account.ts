// GET /v1/commissions?beneficiaryId=…: a team leader's ledger, balance and the state of each
// commission (accrued, paid, frozen, reversed, clawed back, released).
import type { PrismaClient } from '../store/index.ts';
import { foldCommissions, outstanding } from './ledger.ts';

export async function commissionAccount(prisma: PrismaClient, beneficiaryId: string, limit: number) {
  const [rows, sum] = await Promise.all([
    prisma.commissionEntry.findMany({ where: { beneficiaryId }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] }),
    prisma.commissionEntry.aggregate({ where: { beneficiaryId }, _sum: { balanceDeltaMinor: true } }),
  ]);
  const commissions = foldCommissions(rows).map((s) => ({
    orderId: s.orderId,
    level: s.level,
    state: s.state,
    currency: s.currency,
    accruedMinor: s.accruedMinor,
    paidMinor: s.paidMinor,
    reversedMinor: s.reversedMinor,
    clawedBackMinor: s.clawedBackMinor,
    outstandingMinor: outstanding(s),
    frozenByRefundRequestId: s.frozenBy,
  }));
  return {
    beneficiaryId,
    // What the platform owes this beneficiary; negative when clawed-back commissions exceed what is
    // still owed, to be netted against their next commissions.
    balanceMinor: sum._sum.balanceDeltaMinor ?? 0,
    currency: rows[0]?.currency ?? null,
    frozenMinor: commissions.filter((c) => c.state === 'frozen').reduce((a, c) => a + c.outstandingMinor, 0),
    commissions,
    entries: rows.slice(-limit).map((e) => ({
      id: e.id,
      orderId: e.orderId,
      level: e.level,
      kind: e.kind,
      amountMinor: e.amountMinor,
      balanceDeltaMinor: e.balanceDeltaMinor,
      currency: e.currency,
      refundRequestId: e.refundRequestId,
      reason: e.reason,
      createdAt: e.createdAt.toISOString(),
    })),
  };
}
