// The commission ledger's rules, pure (M13, M14, M18). The ledger is append-only: every change is a
// new entry, never an edit. An entry's `balanceDeltaMinor` moves the beneficiary's balance, which is
// what the platform owes them (negative: what they owe, netted against their next commissions):
//
//   accrued      +amount   order.paid credited the commission
//   paid         -amount   the platform paid it out (commission.paid)
//   frozen        0        a refund was requested: the platform must hold the payout
//   released      0        the request ended without (the rest of) a refund: payable again
//   reversed     -amount   refunded before payout: voided
//   clawed_back  -amount   refunded after payout: a debit, netted against future commissions
//
// Each effect has a dedupe key, so running a step twice never writes it twice.

export type EntryKind = 'accrued' | 'paid' | 'frozen' | 'released' | 'reversed' | 'clawed_back';

export interface LedgerEntry {
  orderId: string;
  beneficiaryId: string;
  level: number;
  kind: EntryKind;
  amountMinor: number;
  balanceDeltaMinor: number;
  currency: string;
  refundRequestId: string | null;
  reason: string | null;
  dedupeKey: string;
}

/** One commission: one beneficiary's share of one order at one level. */
export interface CommissionState {
  orderId: string;
  beneficiaryId: string;
  level: number;
  currency: string;
  accruedMinor: number;
  paidMinor: number;
  reversedMinor: number;
  clawedBackMinor: number;
  /** The refund request holding it frozen, if one is. */
  frozenBy: string | null;
  /** accrued, paid, frozen, reversed, clawed_back or released: what a team leader sees. */
  state: 'accrued' | 'paid' | 'frozen' | 'reversed' | 'clawed_back' | 'released';
}

const keyOf = (e: { orderId: string; beneficiaryId: string; level: number }) => `${e.orderId}:${e.beneficiaryId}:${e.level}`;

/**
 * Folds entries into commission states. Order-independent on purpose: entries written by two steps
 * in the same millisecond may come back in either order. A request's freeze ends with any release,
 * reversal or claw-back that names the same request.
 */
export function foldCommissions(entries: readonly LedgerEntry[]): CommissionState[] {
  interface Acc {
    s: CommissionState;
    froze: Set<string>;
    ended: Set<string>;
    released: boolean;
  }
  const accs = new Map<string, Acc>();
  for (const e of entries) {
    let acc = accs.get(keyOf(e));
    if (!acc) {
      acc = {
        s: {
          orderId: e.orderId,
          beneficiaryId: e.beneficiaryId,
          level: e.level,
          currency: e.currency,
          accruedMinor: 0,
          paidMinor: 0,
          reversedMinor: 0,
          clawedBackMinor: 0,
          frozenBy: null,
          state: 'accrued',
        },
        froze: new Set(),
        ended: new Set(),
        released: false,
      };
      accs.set(keyOf(e), acc);
    }
    const { s } = acc;
    const request = e.refundRequestId ?? '';
    switch (e.kind) {
      case 'accrued':
        s.accruedMinor += e.amountMinor;
        break;
      case 'paid':
        s.paidMinor += e.amountMinor;
        break;
      case 'frozen':
        acc.froze.add(request);
        break;
      case 'released':
        acc.ended.add(request);
        acc.released = true;
        break;
      case 'reversed':
        s.reversedMinor += e.amountMinor;
        acc.ended.add(request);
        break;
      case 'clawed_back':
        s.clawedBackMinor += e.amountMinor;
        acc.ended.add(request);
        break;
    }
  }
  return [...accs.values()]
    .map(({ s, froze, ended, released }) => {
      s.frozenBy = [...froze].find((r) => !ended.has(r)) ?? null;
      s.state = s.frozenBy
        ? 'frozen'
        : s.clawedBackMinor > 0
          ? 'clawed_back'
          : s.reversedMinor > 0
            ? 'reversed'
            : s.paidMinor > 0
              ? 'paid'
              : released
                ? 'released'
                : 'accrued';
      return s;
    })
    .sort((a, b) => a.level - b.level || a.beneficiaryId.localeCompare(b.beneficiaryId));
}

/** What is still at stake in a commission (accrued and not yet taken back). */
export const outstanding = (s: CommissionState) => s.accruedMinor - s.reversedMinor - s.clawedBackMinor;

function entry(
  s: CommissionState,
  kind: EntryKind,
  amountMinor: number,
  delta: number,
  requestId: string,
  reason: string,
  key: string,
): LedgerEntry {
  return {
    orderId: s.orderId,
    beneficiaryId: s.beneficiaryId,
    level: s.level,
    kind,
    amountMinor,
    balanceDeltaMinor: delta,
    currency: s.currency,
    refundRequestId: requestId,
    reason,
    dedupeKey: `${key}:${requestId}:${s.beneficiaryId}:${s.level}`,
  };
}

/** M13: freeze every commission of the order that still has something at stake. */
export function freeze(states: readonly CommissionState[], requestId: string, reason: string): LedgerEntry[] {
  return states
    .filter((s) => outstanding(s) > 0 && s.frozenBy !== requestId)
    .map((s) => entry(s, 'frozen', outstanding(s), 0, requestId, reason, 'frozen'));
}

/** M14: the request ended without a refund: what it froze is payable again. */
export function release(states: readonly CommissionState[], requestId: string, reason: string): LedgerEntry[] {
  return states.filter((s) => s.frozenBy === requestId).map((s) => entry(s, 'released', outstanding(s), 0, requestId, reason, 'released'));
}

/**
 * Shares of a total taken back from each commission, proportional to what each earned, rounded by
 * largest remainder so that the shares add up exactly to round(total × fraction): the chain as a
 * whole never loses or gains a fen through rounding.
 */
export function proportionalShares(amounts: readonly number[], numerator: number, denominator: number): number[] {
  if (denominator <= 0) return amounts.map(() => 0);
  const f = Math.min(1, Math.max(0, numerator / denominator));
  const total = amounts.reduce((a, b) => a + b, 0);
  const target = Math.round(total * f);
  const exact = amounts.map((a) => a * f);
  const shares = exact.map(Math.floor);
  let left = target - shares.reduce((a, b) => a + b, 0);
  const order = exact.map((x, i) => ({ i, r: x - Math.floor(x) })).sort((a, b) => b.r - a.r || a.i - b.i);
  for (const { i } of order) {
    if (left <= 0) break;
    if (shares[i]! < amounts[i]!) {
      shares[i]! += 1;
      left -= 1;
    }
  }
  return shares;
}

/**
 * M14: a refund succeeded. With the order's cumulative refunded amount, each commission's target
 * take-back is its proportional share; what is not yet taken back is reversed if it was never paid
 * out, clawed back if it was. Whatever remains of a partial refund is released.
 */
export function settleRefund(
  states: readonly CommissionState[],
  p: { requestId: string; refundedTotalMinor: number; orderAmountMinor: number; reason: string },
): LedgerEntry[] {
  const targets = proportionalShares(
    states.map((s) => s.accruedMinor),
    p.refundedTotalMinor,
    p.orderAmountMinor,
  );
  const entries: LedgerEntry[] = [];
  states.forEach((s, i) => {
    const due = Math.max(0, targets[i]! - s.reversedMinor - s.clawedBackMinor);
    // Never paid out and not yet voided: reverse that first; the rest was paid, so claw it back.
    const unpaid = Math.max(0, s.accruedMinor - s.paidMinor - s.reversedMinor);
    const reverse = Math.min(due, unpaid);
    const clawBack = due - reverse;
    if (reverse > 0) entries.push(entry(s, 'reversed', reverse, -reverse, p.requestId, p.reason, 'reversed'));
    if (clawBack > 0) entries.push(entry(s, 'clawed_back', clawBack, -clawBack, p.requestId, p.reason, 'clawed_back'));
    const left = outstanding(s) - due;
    if (s.frozenBy === p.requestId && left > 0) entries.push(entry(s, 'released', left, 0, p.requestId, p.reason, 'released'));
  });
  return entries;
}

export interface Balance {
  balanceMinor: number;
  currency: string | null;
}

export function balanceOf(entries: readonly LedgerEntry[]): Balance {
  return { balanceMinor: entries.reduce((sum, e) => sum + e.balanceDeltaMinor, 0), currency: entries[0]?.currency ?? null };
}
