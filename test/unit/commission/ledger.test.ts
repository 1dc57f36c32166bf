import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  balanceOf,
  foldCommissions,
  freeze,
  proportionalShares,
  release,
  settleRefund,
  type LedgerEntry,
} from '../../../src/commission/ledger.ts';
import { commissionNotices, maskName } from '../../../src/commission/notices.ts';

const accrued = (beneficiaryId: string, level: number, amountMinor: number, orderId = 'o_1'): LedgerEntry => ({
  orderId,
  beneficiaryId,
  level,
  kind: 'accrued',
  amountMinor,
  balanceDeltaMinor: amountMinor,
  currency: 'CNY',
  refundRequestId: null,
  reason: 'order.paid',
  dedupeKey: `accrued:${orderId}:${beneficiaryId}:${level}`,
});
const paid = (beneficiaryId: string, level: number, amountMinor: number, orderId = 'o_1'): LedgerEntry => ({
  ...accrued(beneficiaryId, level, amountMinor, orderId),
  kind: 'paid',
  balanceDeltaMinor: -amountMinor,
  dedupeKey: `paid:${orderId}:${beneficiaryId}`,
});
const chain = () => [accrued('b_member', 1, 990), accrued('b_leader', 2, 495)];
const kinds = (entries: LedgerEntry[]) => entries.map((e) => `${e.beneficiaryId}:${e.kind}:${e.amountMinor}:${e.balanceDeltaMinor}`);

describe('commission ledger rules', () => {
  it('M21: freezes both levels, then reverses both as never paid, leaving balances at zero', () => {
    const frozen = freeze(foldCommissions(chain()), 'rr_1', 'refund requested');
    expect(kinds(frozen)).toEqual(['b_member:frozen:990:0', 'b_leader:frozen:495:0']);
    expect(foldCommissions([...chain(), ...frozen]).map((s) => s.state)).toEqual(['frozen', 'frozen']);
    const settled = settleRefund(foldCommissions([...chain(), ...frozen]), {
      requestId: 'rr_1',
      refundedTotalMinor: 9900,
      orderAmountMinor: 9900,
      reason: 'r',
    });
    expect(kinds(settled)).toEqual(['b_member:reversed:990:-990', 'b_leader:reversed:495:-495']);
    const all = [...chain(), ...frozen, ...settled];
    expect(foldCommissions(all).map((s) => [s.state, s.frozenBy])).toEqual([
      ['reversed', null],
      ['reversed', null],
    ]);
    expect(balanceOf(all.filter((e) => e.beneficiaryId === 'b_member')).balanceMinor).toBe(0);
  });

  it('claws back a paid-out commission: the balance goes negative and the next accrual nets it', () => {
    const entries = [...chain(), paid('b_member', 1, 990)];
    const frozen = freeze(foldCommissions(entries), 'rr_1', 'r');
    const settled = settleRefund(foldCommissions([...entries, ...frozen]), {
      requestId: 'rr_1',
      refundedTotalMinor: 9900,
      orderAmountMinor: 9900,
      reason: 'r',
    });
    expect(kinds(settled)).toEqual(['b_member:clawed_back:990:-990', 'b_leader:reversed:495:-495']);
    const member = [...entries, ...frozen, ...settled].filter((e) => e.beneficiaryId === 'b_member');
    expect(balanceOf(member).balanceMinor).toBe(-990);
    expect(balanceOf([...member, accrued('b_member', 1, 1500, 'o_2')]).balanceMinor).toBe(510);
  });

  it("releases the freeze of a refused or withdrawn request, and only that request's", () => {
    const frozen = freeze(foldCommissions(chain()), 'rr_1', 'r');
    expect(release(foldCommissions([...chain(), ...frozen]), 'rr_other', 'x')).toEqual([]);
    const released = release(foldCommissions([...chain(), ...frozen]), 'rr_1', 'refused');
    expect(kinds(released)).toEqual(['b_member:released:990:0', 'b_leader:released:495:0']);
    expect(foldCommissions([...chain(), ...frozen, ...released]).map((s) => [s.state, s.frozenBy])).toEqual([
      ['released', null],
      ['released', null],
    ]);
    // Freezing twice under one request is one freeze.
    expect(freeze(foldCommissions([...chain(), ...frozen]), 'rr_1', 'r')).toEqual([]);
  });

  it('reverses a partial refund proportionally, releases the rest, and a second partial refund tops up without overshooting', () => {
    const entries = [accrued('a', 1, 333), accrued('b', 2, 167)];
    const frozen = freeze(foldCommissions(entries), 'rr_1', 'r');
    const first = settleRefund(foldCommissions([...entries, ...frozen]), {
      requestId: 'rr_1',
      refundedTotalMinor: 3300,
      orderAmountMinor: 9900,
      reason: 'r',
    });
    // One third of 500 is 166.67: the chain gives back exactly 167, never 166 or 168.
    const firstBack = first.filter((e) => e.kind === 'reversed').reduce((a, e) => a + e.amountMinor, 0);
    expect(firstBack).toBe(167);
    expect(first.filter((e) => e.kind === 'released').map((e) => e.amountMinor)).toEqual([
      333 - first[0]!.amountMinor,
      167 - first.find((e) => e.beneficiaryId === 'b' && e.kind === 'reversed')!.amountMinor,
    ]);
    const after = [...entries, ...frozen, ...first];
    const second = settleRefund(foldCommissions(after), {
      requestId: 'rr_2',
      refundedTotalMinor: 9900,
      orderAmountMinor: 9900,
      reason: 'r',
    });
    const states = foldCommissions([...after, ...second]);
    expect(states.map((s) => s.reversedMinor)).toEqual([333, 167]);
  });

  it('shares a take-back by largest remainder, adding up exactly', () => {
    expect(proportionalShares([990, 495], 9900, 9900)).toEqual([990, 495]);
    expect(proportionalShares([1, 1, 1], 1, 2)).toEqual([1, 1, 0]);
    expect(proportionalShares([100, 50], 0, 9900)).toEqual([0, 0]);
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 100_000 }), { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.integer({ min: 0, max: 1_000_000 }),
        (amounts, denominator, numerator) => {
          const shares = proportionalShares(amounts, Math.min(numerator, denominator), denominator);
          const total = amounts.reduce((a, b) => a + b, 0);
          expect(shares.reduce((a, b) => a + b, 0)).toBe(Math.round(total * (Math.min(numerator, denominator) / denominator)));
          shares.forEach((s, i) => {
            expect(s).toBeLessThanOrEqual(amounts[i]!);
          });
        },
      ),
      { numRuns: 500 },
    );
  });

  it('folds the same entries to the same states in any order (two steps can share a millisecond)', () => {
    const entries = [...chain(), ...freeze(foldCommissions(chain()), 'rr_1', 'r')];
    const settled = settleRefund(foldCommissions(entries), {
      requestId: 'rr_1',
      refundedTotalMinor: 9900,
      orderAmountMinor: 9900,
      reason: 'r',
    });
    const all = [...entries, ...settled];
    expect(foldCommissions([...all].reverse())).toEqual(foldCommissions(all));
  });
});

describe('random interleavings of orders, payouts, refund requests, results and withdrawals (M14 invariants)', () => {
  type Step =
    | { kind: 'pay'; who: number }
    | { kind: 'request' }
    | { kind: 'refund'; share: number }
    | { kind: 'fail' }
    | { kind: 'cancel' };
  const step: fc.Arbitrary<Step> = fc.oneof(
    fc.record({ kind: fc.constant('pay' as const), who: fc.integer({ min: 0, max: 1 }) }),
    fc.constant({ kind: 'request' as const }),
    fc.record({ kind: fc.constant('refund' as const), share: fc.integer({ min: 1, max: 9900 }) }),
    fc.constant({ kind: 'fail' as const }),
    fc.constant({ kind: 'cancel' as const }),
  );

  it('never reverses twice, keeps each balance the sum of its entries, and never takes back more than was accrued', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 5_000 }),
        fc.integer({ min: 0, max: 2_000 }),
        fc.array(step, { maxLength: 25 }),
        (l1, l2, steps) => {
          const ledger: LedgerEntry[] = [accrued('m', 1, l1), accrued('l', 2, l2)];
          const keys = new Set(ledger.map((e) => e.dedupeKey));
          const write = (entries: LedgerEntry[]) => {
            for (const e of entries) {
              if (keys.has(e.dedupeKey)) continue;
              keys.add(e.dedupeKey);
              ledger.push(e);
            }
          };
          let open: string | null = null;
          let n = 0;
          let refunded = 0;
          for (const s of steps) {
            const states = foldCommissions(ledger);
            if (s.kind === 'pay') {
              const st = states[s.who]!;
              if (st.paidMinor === 0 && st.accruedMinor > 0)
                write([{ ...paid(st.beneficiaryId, st.level, st.accruedMinor), beneficiaryId: st.beneficiaryId }]);
            } else if (s.kind === 'request' && !open && refunded < 9900) {
              open = `rr_${n++}`;
              write(freeze(states, open, 'r'));
            } else if (s.kind === 'refund' && open) {
              refunded = Math.min(9900, refunded + s.share);
              write(settleRefund(states, { requestId: open, refundedTotalMinor: refunded, orderAmountMinor: 9900, reason: 'r' }));
              open = null;
            } else if ((s.kind === 'fail' || s.kind === 'cancel') && open) {
              write(release(states, open, 'r'));
              open = null;
            }
            // Invariants after every step.
            const folded = foldCommissions(ledger);
            const takenBack = folded.reduce((a, c) => a + c.reversedMinor + c.clawedBackMinor, 0);
            const accruedTotal = folded.reduce((a, c) => a + c.accruedMinor, 0);
            expect(takenBack).toBeLessThanOrEqual(accruedTotal);
            for (const c of folded) expect(c.reversedMinor + c.clawedBackMinor).toBeLessThanOrEqual(c.accruedMinor);
            const reversalKeys = ledger.filter((e) => e.kind === 'reversed' || e.kind === 'clawed_back').map((e) => e.dedupeKey);
            expect(new Set(reversalKeys).size).toBe(reversalKeys.length);
            for (const who of ['m', 'l']) {
              const mine = ledger.filter((e) => e.beneficiaryId === who);
              expect(balanceOf(mine).balanceMinor).toBe(mine.reduce((a, e) => a + e.balanceDeltaMinor, 0));
            }
            // Taken back exactly in proportion to what was refunded, for the chain as a whole.
            expect(takenBack).toBe(Math.round(accruedTotal * (refunded / 9900)));
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('commission notices (M15, M18)', () => {
  it('masks buyer names', () => {
    expect(maskName('李小明')).toBe('李*明');
    expect(maskName('王五')).toBe('王*');
    expect(maskName('Alice Chen')).toBe('A********n');
    expect(maskName(null)).toBe('***');
  });

  it('tells each beneficiary, in their language, what happened to which commission and what comes next', () => {
    const frozen = freeze(foldCommissions(chain()), 'rr_1', 'r');
    const notices = commissionNotices(
      frozen,
      { orderId: 'o_1', productTitle: '《PPT大师进阶课》', buyerName: '李小明', reasonCode: 'changed_mind' },
      (id) => (id === 'b_leader' ? 'en' : 'zh'),
    );
    expect(notices).toHaveLength(2);
    expect(notices[0]).toMatchObject({ recipientId: 'b_member', kind: 'commission.frozen', locale: 'zh', title: '佣金已冻结' });
    expect(notices[0]!.body).toBe(
      '订单 o_1（《PPT大师进阶课》）的买家 李*明 申请了退款（原因：买家改变主意）。您在该订单的一级佣金 ¥9.90 已暂时冻结，暂停发放。接下来：退款完成则这笔佣金作废；退款被拒绝或撤回则恢复正常发放。',
    );
    expect(notices[1]).toMatchObject({ recipientId: 'b_leader', locale: 'en', title: 'Commission on hold' });
    expect(notices[1]!.body).toContain('level-2 commission of CN¥4.95 on this order is on hold');
    expect(notices[1]!.body).not.toContain('李小明');
  });
});
