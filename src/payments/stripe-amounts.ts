// Stripe's amounts are "the currency's smallest unit" as Stripe defines it, which is not always ISO
// 4217's minor unit (the desk's amountMinor): MGA is zero-decimal at Stripe but has two decimals in
// ISO; ISK has none in ISO but Stripe still takes it with two (and only whole krónur); the
// three-decimal dinars go with three but the last must be 0. https://docs.stripe.com/currencies
import { minorUnitDigits, type Money } from '../domain/index.ts';

const ZERO_DECIMAL = new Set([
  'BIF',
  'CLP',
  'DJF',
  'GNF',
  'JPY',
  'KMF',
  'KRW',
  'MGA',
  'PYG',
  'RWF',
  'UGX',
  'VND',
  'VUV',
  'XAF',
  'XOF',
  'XPF',
]);
const THREE_DECIMAL = new Set(['BHD', 'JOD', 'KWD', 'OMR', 'TND']);

/** How many decimals Stripe's API amounts carry for a currency. */
export function stripeDigits(currency: string): number {
  const code = currency.toUpperCase();
  if (ZERO_DECIMAL.has(code)) return 0;
  if (THREE_DECIMAL.has(code)) return 3;
  return 2;
}

/**
 * The amount to send Stripe for an ISO amount, or why it cannot be sent (a fraction Stripe cannot
 * take: MGA below one ariary, ISK below one króna, a dinar amount not ending in 0).
 */
export function toStripeAmount({ amountMinor, currency }: Money): { amount: number } | { refused: string } {
  const code = currency.toUpperCase();
  const shift = stripeDigits(code) - minorUnitDigits(code);
  if (THREE_DECIMAL.has(code) && amountMinor % 10 !== 0) return { refused: `Stripe takes ${code} amounts ending in 0 (whole hundredths)` };
  if (shift >= 0) return { amount: amountMinor * 10 ** shift };
  const unit = 10 ** -shift;
  if (amountMinor % unit !== 0)
    return { refused: `Stripe takes ${code} in whole units (${unit} minor units each); ${amountMinor} is not a whole number of them` };
  return { amount: amountMinor / unit };
}

/** An amount Stripe reports, in the desk's ISO minor units. */
export function fromStripeAmount(amount: number, currency: string): number {
  const shift = stripeDigits(currency) - minorUnitDigits(currency.toUpperCase());
  return shift >= 0 ? Math.round(amount / 10 ** shift) : amount * 10 ** -shift;
}
