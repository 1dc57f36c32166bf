import { describe, expect, it } from 'vitest';
import { DeskError } from '../../src/errors.ts';
import { platformEventSchema } from '../../src/events/event-schemas.ts';
import { parseOrThrow } from '../../src/validation.ts';
import { buyer, commissionPaidFixture, merchant, orderPaid, product, usage } from './event-fixtures.ts';

function fieldError(input: unknown): { field: string | undefined; message: string } {
  try {
    parseOrThrow(platformEventSchema, input);
  } catch (error) {
    expect(error).toBeInstanceOf(DeskError);
    return { field: (error as DeskError).field, message: (error as DeskError).message };
  }
  throw new Error('expected a validation error');
}

describe('platform event schemas', () => {
  it('accepts each of the six event types', () => {
    for (const e of [merchant(), product(), buyer(), orderPaid(), usage(), commissionPaidFixture()]) {
      expect(platformEventSchema.safeParse(e).success, JSON.stringify(e)).toBe(true);
    }
  });

  it('names a missing field', () => {
    const e = orderPaid();
    delete (e.data as Record<string, unknown>).amountMinor;
    expect(fieldError(e)).toEqual({ field: 'data.amountMinor', message: 'data.amountMinor is required' });
  });

  it('names a field of the wrong type', () => {
    expect(fieldError(orderPaid({ amountMinor: '99.00' })).field).toBe('data.amountMinor');
    expect(fieldError(orderPaid({ amountMinor: 99.5 })).message).toMatch(/whole number/);
    expect(fieldError(orderPaid({ payment: { method: 'bitcoin', transactionId: 't' } })).field).toBe('data.payment.method');
    expect(fieldError(orderPaid({ paidAt: '2026-11-25 10:00' })).message).toMatch(/ISO 8601 time with a zone/);
  });

  it('names the type of an unknown event', () => {
    expect(fieldError({ ...merchant(), type: 'order.shipped' }).field).toBe('type');
  });

  it('refuses unknown fields rather than silently dropping them', () => {
    expect(fieldError(merchant({ colour: 'red' })).field).toBe('data');
  });

  it('checks the rules that span fields', () => {
    expect(fieldError(orderPaid({ commissions: [{ beneficiaryId: 'b', level: 1, amountMinor: 10_000 }] })).field).toBe('data.commissions');
    expect(fieldError(usage({ kind: 'course.progress', value: undefined })).field).toBe('data.value');
    expect(fieldError(usage({ kind: 'course.progress', value: 1.5 })).field).toBe('data.value');
    expect(fieldError(orderPaid({ commissions: [{ beneficiaryId: 'b', level: 3, amountMinor: 1 }] })).field).toBe(
      'data.commissions[0].level',
    );
    // A cart's payment covers at least this order.
    expect(fieldError(orderPaid({ payment: { method: 'wechat', transactionId: 't', totalMinor: 100 } })).field).toBe(
      'data.payment.totalMinor',
    );
  });

  it('refuses a body that is not an object', () => {
    expect(fieldError(null).field).toBe('body');
    expect(fieldError([1, 2]).field).toBe('body');
  });
});
