// Money is an integer number of minor units (fen, cents, yen, fils) with an ISO 4217 currency. Never
// floats. How many minor units make a major one is the currency's exponent: CNY and USD have 2
// (¥99.00 is 9900), JPY and KRW 0 (¥500 is 500), BHD and KWD 3 (BHD 1.250 is 1250). Everything that
// turns typed or displayed amounts into minor units, or back, goes through the helpers below, so no
// caller multiplies or divides by 100.
import { z } from 'zod';
import { DeskError } from '../errors.ts';

export const currencySchema = z.string().regex(/^[A-Z]{3}$/, 'must be a three-letter ISO 4217 code such as CNY');

/** The largest amount the desk stores (PostgreSQL int4): well inside Number.MAX_SAFE_INTEGER. */
export const MAX_AMOUNT_MINOR = 2_147_483_647;

export const amountMinorSchema = z
  .number({ message: 'must be a number of minor units' })
  .int('must be a whole number of minor units')
  .min(0, 'must not be negative')
  .max(MAX_AMOUNT_MINOR, 'is larger than the desk accepts');

export interface Money {
  amountMinor: number;
  currency: string;
}

// ISO 4217's exponents other than 2. This table, not Intl, is the source: Intl's digits come from
// CLDR, which follows cash practice for some currencies (0 for HUF, IDR, COP, PKR…, 0 for IQD where
// ISO says 3) and changes with the ICU a Node release bundles. An amount's meaning must not change
// with a Node upgrade; test/unit/money.test.ts compares this table with Intl and names every
// difference, so a new ICU that disagrees shows up there.
const ISO_EXPONENTS: Record<string, number> = {
  BIF: 0,
  CLP: 0,
  DJF: 0,
  GNF: 0,
  ISK: 0,
  JPY: 0,
  KMF: 0,
  KRW: 0,
  PYG: 0,
  RWF: 0,
  UGX: 0,
  UYI: 0,
  VND: 0,
  VUV: 0,
  XAF: 0,
  XOF: 0,
  XPF: 0,
  BHD: 3,
  IQD: 3,
  JOD: 3,
  KWD: 3,
  LYD: 3,
  OMR: 3,
  TND: 3,
  CLF: 4,
  UYW: 4,
};

/** The currency's ISO 4217 exponent: how many decimals its minor unit has (2 unless listed). */
export function minorUnitDigits(currency: string): number {
  return ISO_EXPONENTS[currency] ?? 2;
}

/** The exact decimal of an amount, "-12.50", "500", "1.250": no grouping, no symbol, no float. */
export function formatDecimal({ amountMinor, currency }: Money): string {
  if (!Number.isSafeInteger(amountMinor)) throw new RangeError(`amountMinor must be a safe integer, got ${amountMinor}`);
  const digits = minorUnitDigits(currency);
  const sign = amountMinor < 0 ? '-' : '';
  const abs = String(Math.abs(amountMinor)).padStart(digits + 1, '0');
  return digits === 0 ? `${sign}${abs}` : `${sign}${abs.slice(0, -digits)}.${abs.slice(-digits)}`;
}

// Building an Intl.NumberFormat costs far more than using one: keep one per locale and currency.
const formatters = new Map<string, Intl.NumberFormat>();

function formatter(locale: 'zh' | 'en', currency: string): Intl.NumberFormat {
  const key = `${locale}:${currency}`;
  let f = formatters.get(key);
  if (!f) {
    const digits = minorUnitDigits(currency);
    f = new Intl.NumberFormat(locale === 'zh' ? 'zh-CN' : 'en-US', {
      style: 'currency',
      currency,
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
    });
    formatters.set(key, f);
  }
  return f;
}

/** "¥99.00", "JP¥500", "BHD 1.250": for people, in their language, with every minor unit shown. */
export function formatMoney(money: Money, locale: 'zh' | 'en'): string {
  // Formatting costs microseconds and a refund formats its amount several times (explanations,
  // notices, in both languages), mostly the same few prices: remember the latest few thousand.
  const key = `${locale}:${money.currency}:${money.amountMinor}`;
  let text = formatted.get(key);
  if (text === undefined) {
    // Intl formats a decimal string exactly (no binary fraction on the way).
    text = formatter(locale, money.currency).format(formatDecimal(money) as unknown as number);
    if (formatted.size >= 4_096) formatted.clear();
    formatted.set(key, text);
  }
  return text;
}

const formatted = new Map<string, string>();

/** An amount written the way the currency is written: "500" for JPY, "49.50" for CNY, "12.500" for BHD. */
export function exampleAmount(currency: string): string {
  const digits = minorUnitDigits(currency);
  return digits === 0 ? '500' : `49.${'5'.padEnd(digits, '0')}`;
}

// What may stand around the digits: the currency's code and its symbols in either language (from
// Intl: "¥", "CN¥", "US$", "F CFA"…), any one currency sign, and the CJK unit words.
const UNIT_WORDS = ['元', '円', '圆', '圓', '块'];
const markersOf = new Map<string, string[]>();

function markers(currency: string): string[] {
  let list = markersOf.get(currency);
  if (!list) {
    const found = new Set<string>([currency, ...UNIT_WORDS]);
    for (const [locale, display] of [
      ['en-US', 'symbol'],
      ['zh-CN', 'symbol'],
      ['en-US', 'narrowSymbol'],
    ] as const) {
      const part = new Intl.NumberFormat(locale, { style: 'currency', currency, currencyDisplay: display })
        .formatToParts(1)
        .find((p) => p.type === 'currency');
      if (part) found.add(part.value.normalize('NFKC'));
    }
    // Longest first, so "CN¥" is taken whole rather than leaving "CN".
    list = [...found].sort((a, b) => b.length - a.length);
    markersOf.set(currency, list);
  }
  return list;
}

function stripMarkers(text: string, currency: string): string {
  let s = text;
  for (let changed = true; changed; ) {
    changed = false;
    for (const m of markers(currency)) {
      const upper = s.toUpperCase();
      if (upper.startsWith(m.toUpperCase())) {
        s = s.slice(m.length).trim();
        changed = true;
      } else if (upper.endsWith(m.toUpperCase())) {
        s = s.slice(0, s.length - m.length).trim();
        changed = true;
      }
    }
    const sign = /^\p{Sc}|\p{Sc}$/u.exec(s);
    if (sign) {
      s = (sign.index === 0 ? s.slice(sign[0].length) : s.slice(0, sign.index)).trim();
      changed = true;
    }
  }
  return s;
}

const MAX_INPUT_CHARS = 40;

function amountError(code: string, message: string, field: string): DeskError {
  return new DeskError('invalid', code, message, { field });
}

/**
 * Minor units from an amount a person typed: "500", "12.5", "12,50", "¥500", "1,000", "1.000,50",
 * "CN¥1,299.00", "５００元". Exact (digits are moved, never multiplied as floats). Refused, with a
 * message that says what to type: empty, not a number, negative, more decimals than the currency
 * has, a separator that could mean either (KWD "1,500"), or more than the desk stores.
 *
 * Separators: with both "." and ",", the last one is the decimal point. One kind used more than once
 * is grouping ("1,000,000", "1.000.000"). Used once, "." is the decimal point, and so is "," unless
 * three digits follow it ("1,000" is a thousand; for a 3-decimal currency that reading is ambiguous
 * and refused). Spaces and apostrophes only group. Groups fall every three digits (or in Indian
 * lakhs, "1,00,000").
 */
export function parseAmount(input: string, currency: string, field = 'amount'): number {
  const digits = minorUnitDigits(currency);
  const example = exampleAmount(currency);
  const shown = input.length > MAX_INPUT_CHARS ? `${input.slice(0, MAX_INPUT_CHARS)}…` : input;
  const notAnAmount = (why = 'is not an amount') =>
    amountError('amount_not_a_number', `"${shown}" ${why} in ${currency}: enter one such as ${example}.`, field);

  const typed = input.normalize('NFKC').trim();
  if (!typed) throw amountError('amount_empty', `Enter an amount in ${currency}, such as ${example}.`, field);
  if (typed.length > MAX_INPUT_CHARS) throw notAnAmount();
  if (/^[^\d]*[-−]/.test(typed))
    throw amountError('amount_negative', `The amount must not be negative: enter one such as ${example}.`, field);
  const s = stripMarkers(typed.replace(/^\+\s*/, ''), currency)
    .replace(/^\+/, '')
    .replace(/[\s\u00a0\u202f']+/g, ' ');
  if (!/^[\d.,][\d., ]*$/.test(s) || !/\d$/.test(s)) throw notAnAmount();

  const count = (c: string) => s.split(c).length - 1;
  const dots = count('.');
  const commas = count(',');
  let decimal: '.' | ',' | null = null;
  if (dots > 0 && commas > 0) decimal = s.lastIndexOf('.') > s.lastIndexOf(',') ? '.' : ',';
  else if (dots === 1) decimal = '.';
  else if (commas === 1) {
    if (s.length - s.lastIndexOf(',') - 1 !== 3) decimal = ',';
    else if (digits === 3) {
      throw amountError(
        'amount_ambiguous',
        `"${shown}" could mean ${s.replace(',', '')} or ${s.replace(',', '.')} ${currency}: write it without the comma, or with a point before the decimals.`,
        field,
      );
    }
  }
  if (decimal && count(decimal) > 1) throw notAnAmount('has more than one decimal point');

  const at = decimal ? s.lastIndexOf(decimal) : s.length;
  const whole = s.slice(0, at);
  const fraction = s.slice(at + 1);
  if (!/^\d*$/.test(fraction)) throw notAnAmount();
  const groupers = new Set(whole.replace(/\d/g, ''));
  if (groupers.size > 1) throw notAnAmount('mixes separators');
  const [grouper] = [...groupers];
  if (grouper) {
    const g = grouper === '.' ? '\\.' : grouper;
    if (!new RegExp(`^\\d{1,3}(${g}\\d{3})+$|^\\d{1,2}(${g}\\d{2})*${g}\\d{3}$`).test(whole))
      throw notAnAmount('is not grouped in thousands');
  }
  const wholeDigits = whole.replace(/\D/g, '');
  if (wholeDigits === '' && fraction === '') throw notAnAmount();
  if (fraction.length > digits) {
    throw amountError(
      'amount_too_precise',
      digits === 0
        ? `${currency} has no decimals: enter a whole amount such as ${example} ("${shown}" has ${fraction.length}).`
        : `${currency} has at most ${digits} decimals: "${shown}" has ${fraction.length}; enter an amount such as ${example}.`,
      field,
    );
  }
  const minor = BigInt(`${wholeDigits || '0'}${fraction.padEnd(digits, '0')}`);
  if (minor > BigInt(MAX_AMOUNT_MINOR))
    throw amountError(
      'amount_too_large',
      `"${shown}" is larger than the desk accepts (at most ${formatDecimal({ amountMinor: MAX_AMOUNT_MINOR, currency })} ${currency}).`,
      field,
    );
  return Number(minor);
}
