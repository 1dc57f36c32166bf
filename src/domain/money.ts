// Money is an integer number of minor units (fen, cents) with an ISO 4217 currency. Never floats.
import { z } from 'zod';

export const currencySchema = z
  .string()
  .regex(/^[A-Z]{3}$/, 'must be a three-letter ISO 4217 code such as CNY');

/** Amounts up to 10^12 minor units: well inside Number.MAX_SAFE_INTEGER and PostgreSQL's int8. */
export const amountMinorSchema = z
  .number({ message: 'must be a number of minor units' })
  .int('must be a whole number of minor units')
  .min(0, 'must not be negative')
  .max(2_147_483_647, 'is larger than the desk accepts');

export interface Money {
  amountMinor: number;
  currency: string;
}

const MINOR_DIGITS: Record<string, number> = { JPY: 0, KRW: 0 };

// Building an Intl.NumberFormat costs far more than using one: keep one per locale and currency.
const formatters = new Map<string, Intl.NumberFormat>();

export function formatMoney({ amountMinor, currency }: Money, locale: 'zh' | 'en'): string {
  const digits = MINOR_DIGITS[currency] ?? 2;
  const key = `${locale}:${currency}`;
  let formatter = formatters.get(key);
  if (!formatter) {
    formatter = new Intl.NumberFormat(locale === 'zh' ? 'zh-CN' : 'en-US', {
      style: 'currency',
      currency,
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
    });
    formatters.set(key, formatter);
  }
  return formatter.format(amountMinor / 10 ** digits);
}
