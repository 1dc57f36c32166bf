// What one step does to the commissions of an order, as data: the ledger entries, the notices to the
// beneficiaries, and the calls that tell the platform to hold, release or settle payouts. The refund
// workflow writes a change in the same atomic statement or transaction as the step that causes it.
import type { Locale } from '../domain/index.ts';
import type { OutboxItem } from '../outbox/index.ts';
import type { LedgerEntry } from './ledger.ts';
import { commissionNotices, type CommissionNotice, type CommissionNoticeContext } from './notices.ts';

export interface LedgerChange {
  entries: LedgerEntry[];
  notices: CommissionNotice[];
  callbacks: OutboxItem[];
}

export const NO_CHANGE: LedgerChange = { entries: [], notices: [], callbacks: [] };

const CALLBACK = {
  frozen: 'commission.hold',
  released: 'commission.release',
  reversed: 'commission.settle',
  clawed_back: 'commission.settle',
} as const;

export function ledgerChange(entries: LedgerEntry[], ctx: CommissionNoticeContext, localeOf: (id: string) => Locale): LedgerChange {
  if (entries.length === 0) return NO_CHANGE;
  // One platform call per kind of step and request: hold, release, or settle (void / claw back).
  const groups = new Map<string, LedgerEntry[]>();
  for (const e of entries) {
    if (e.kind === 'accrued' || e.kind === 'paid') continue;
    const type = CALLBACK[e.kind];
    const list = groups.get(type) ?? [];
    list.push(e);
    groups.set(type, list);
  }
  const callbacks: OutboxItem[] = [...groups].map(([type, list]) => ({
    topic: 'platform.callback',
    dedupeKey: `${type}:${list[0]!.refundRequestId}:${list.map((e) => `${e.kind}:${e.beneficiaryId}:${e.level}`).join(',')}`,
    payload: {
      type,
      orderId: ctx.orderId,
      refundRequestId: list[0]!.refundRequestId,
      commissions: list.map((e) => ({
        beneficiaryId: e.beneficiaryId,
        level: e.level,
        action: e.kind,
        amountMinor: e.amountMinor,
        currency: e.currency,
      })),
    },
  }));
  return { entries, notices: commissionNotices(entries, ctx, localeOf), callbacks };
}
