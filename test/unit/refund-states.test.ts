// The refund states and their sets (src/refunds/refund-states.ts): every status the database knows
// is listed, every set holds only known statuses, and the sets say what the workflow relies on.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  CANCELLABLE_STATUSES,
  CLOSED_STATUSES,
  DECIDABLE_STATUSES,
  PAID_STATUSES,
  REFUND_REQUEST_STATUSES,
  STATUS_BY_OUTCOME,
  holdsOrder,
  isCancellable,
  isClosed,
  isDecidable,
  isPaid,
  isReplaceable,
} from '../../src/refunds/refund-states.ts';

describe('refund states', () => {
  it('lists exactly the statuses of the schema enum', () => {
    const schema = readFileSync(new URL('../../prisma/schema.prisma', import.meta.url), 'utf8');
    const body = /enum RefundRequestStatus \{([^}]*)\}/.exec(schema)![1]!;
    const names = body
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
    expect([...REFUND_REQUEST_STATUSES].sort()).toEqual(names.sort());
  });

  it('maps each outcome to a known status', () => {
    expect(STATUS_BY_OUTCOME).toEqual({
      approved: 'refund_pending',
      rejected: 'rejected',
      review: 'in_review',
      troubleshoot: 'troubleshooting',
    });
    for (const set of [CANCELLABLE_STATUSES, DECIDABLE_STATUSES, PAID_STATUSES, CLOSED_STATUSES]) {
      for (const s of set) expect(REFUND_REQUEST_STATUSES).toContain(s);
    }
  });

  it('never lets money that is moving be withdrawn or decided again', () => {
    for (const s of PAID_STATUSES) {
      expect(isCancellable(s)).toBe(false);
      expect(isDecidable(s)).toBe(false);
    }
    expect(isPaid('refund_pending')).toBe(true);
    expect(isPaid('refund_failed')).toBe(false);
    expect(isCancellable('refund_failed')).toBe(true);
    expect(isDecidable('in_review')).toBe(true);
    expect(isDecidable('cancelled')).toBe(false);
    expect(isCancellable('deciding')).toBe(false);
    expect(isCancellable('not-a-status')).toBe(false);
  });

  it('closes refunded, rejected and withdrawn requests; only a guide is replaced by asking again', () => {
    expect(REFUND_REQUEST_STATUSES.filter(isClosed)).toEqual(['refunded', 'rejected', 'cancelled']);
    expect(REFUND_REQUEST_STATUSES.filter(isReplaceable)).toEqual(['troubleshooting']);
  });

  it('a risk block does not hold the order; every other decision does', () => {
    expect(holdsOrder({ outcome: 'rejected', decidedBy: 'risk.assessment' })).toBe(false);
    expect(holdsOrder({ outcome: 'rejected', decidedBy: 'window.expired' })).toBe(true);
    expect(holdsOrder({ outcome: 'review', decidedBy: 'risk.assessment' })).toBe(true);
    expect(holdsOrder({ outcome: 'approved', decidedBy: 'window.any_reason' })).toBe(true);
  });
});
