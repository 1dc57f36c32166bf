// Money in minor units with each currency's ISO 4217 exponent: what an agent or merchant types becomes
// exactly that many minor units, what the desk shows reads back as the same amount, and input that
// cannot be meant as an amount is refused with a message that says what to type.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { exampleAmount, formatDecimal, formatMoney, MAX_AMOUNT_MINOR, minorUnitDigits, parseAmount } from '../../src/domain/money.ts';
import { DeskError } from '../../src/errors.ts';

const refusal = (input: string, currency: string): DeskError => {
  try {
    parseAmount(input, currency);
  } catch (error) {
    if (error instanceof DeskError) return error;
    throw error;
  }
  throw new Error(`${JSON.stringify(input)} in ${currency} was accepted`);
};

describe('minor-unit exponents', () => {
  it('are ISO 4217 exponents: 0 for JPY, KRW, VND, CLP, ISK; 2 for most; 3 for the dinars; 4 for CLF', () => {
    for (const c of ['JPY', 'KRW', 'VND', 'CLP', 'ISK', 'XOF', 'UGX']) expect(minorUnitDigits(c), c).toBe(0);
    for (const c of ['CNY', 'USD', 'EUR', 'GBP', 'HKD', 'TWD', 'HUF', 'IDR', 'INR']) expect(minorUnitDigits(c), c).toBe(2);
    for (const c of ['BHD', 'KWD', 'OMR', 'JOD', 'TND', 'IQD', 'LYD']) expect(minorUnitDigits(c), c).toBe(3);
    expect(minorUnitDigits('CLF')).toBe(4);
  });

  it('agree with Intl (CLDR) for every currency it knows, except where CLDR follows cash practice', () => {
    // CLDR's digits for these follow what is used in cash; ISO 4217 (and so the minor units a
    // platform or provider sends) keeps 2, or 3 for IQD. A new ICU that moves any other currency
    // shows up here.
    const CASH_PRACTICE = [
      'AFN',
      'ALL',
      'COP',
      'HUF',
      'IDR',
      'IQD',
      'IRR',
      'KPW',
      'LAK',
      'LBP',
      'MGA',
      'MMK',
      'PKR',
      'SLL',
      'SOS',
      'SYP',
      'YER',
    ];
    const differs: string[] = [];
    for (const c of [...Intl.supportedValuesOf('currency'), 'CLF', 'UYI', 'UYW']) {
      const intl = new Intl.NumberFormat('en', { style: 'currency', currency: c }).resolvedOptions().maximumFractionDigits;
      if (intl !== minorUnitDigits(c)) differs.push(c);
    }
    expect(differs.sort()).toEqual(CASH_PRACTICE);
  });
});

describe('parseAmount', () => {
  it("reads amounts as people type them, exactly, in the currency's own minor units", () => {
    const cases: Array<[string, string, number]> = [
      ['500', 'JPY', 500],
      ['500', 'KRW', 500],
      ['500', 'CNY', 50_000],
      ['12.5', 'CNY', 1_250],
      ['12,50', 'CNY', 1_250],
      ['0.29', 'USD', 29],
      ['¥500', 'JPY', 500],
      ['JP¥500', 'JPY', 500],
      ['￥５００', 'JPY', 500],
      ['５００元', 'CNY', 50_000],
      ['1,000', 'JPY', 1_000],
      ['1,000', 'CNY', 100_000],
      ['1,000.50', 'USD', 100_050],
      ['1.000,50', 'EUR', 100_050],
      ['1 000,50', 'EUR', 100_050],
      ["1'000.50", 'CHF', 100_050],
      ['1.000.000', 'CNY', 100_000_000],
      ['1,00,000', 'INR', 10_000_000],
      ['CN¥1,299.00', 'CNY', 129_900],
      ['$ 12.50', 'USD', 1_250],
      ['12.50 USD', 'USD', 1_250],
      ['usd 12.50', 'USD', 1_250],
      ['1.250', 'BHD', 1_250],
      ['BHD 1.25', 'BHD', 1_250],
      ['1.500', 'KWD', 1_500],
      ['.5', 'CNY', 50],
      ['+7', 'CNY', 700],
      ['0', 'JPY', 0],
      ['F CFA 1 000', 'XOF', 1_000],
      ['21474836.47', 'CNY', MAX_AMOUNT_MINOR],
    ];
    for (const [input, currency, minor] of cases) expect(parseAmount(input, currency), `${input} ${currency}`).toBe(minor);
  });

  it('refuses more decimals than the currency has, saying how many it takes', () => {
    expect(refusal('12.5', 'JPY')).toMatchObject({
      category: 'invalid',
      code: 'amount_too_precise',
      field: 'amount',
      message: expect.stringContaining('JPY has no decimals'),
    });
    expect(refusal('12.345', 'CNY')).toMatchObject({
      code: 'amount_too_precise',
      message: expect.stringContaining('CNY has at most 2 decimals'),
    });
    expect(refusal('1.2345', 'BHD')).toMatchObject({ code: 'amount_too_precise', message: expect.stringContaining('at most 3 decimals') });
    // "1.000" is not quietly taken for one yuan or one yen: it is refused, and the agent writes 1000.
    expect(refusal('1.000', 'CNY').code).toBe('amount_too_precise');
    expect(refusal('1.000', 'JPY').code).toBe('amount_too_precise');
    expect(refusal('1,0000', 'CNY').code).toBe('amount_too_precise');
  });

  it('refuses what cannot be meant as an amount, with a clear message', () => {
    expect(refusal('', 'CNY')).toMatchObject({ code: 'amount_empty', message: 'Enter an amount in CNY, such as 49.50.' });
    expect(refusal('   ', 'JPY')).toMatchObject({ code: 'amount_empty', message: 'Enter an amount in JPY, such as 500.' });
    for (const negative of ['-5', '−5', '-¥5', '¥-5']) expect(refusal(negative, 'CNY').code, negative).toBe('amount_negative');
    for (const junk of [
      'abc',
      '1e5',
      '0x10',
      'NaN',
      'Infinity',
      '5.',
      '1/2',
      '12..5',
      '1.2.3,4',
      '1,2,3',
      '12 34',
      '¥',
      '..',
      '1,000.5.0',
      '1-2'.repeat(20),
    ]) {
      expect(refusal(junk, 'CNY').code, junk).toMatch(/^amount_(not_a_number|negative)$/);
    }
    expect(refusal('99999999999', 'CNY')).toMatchObject({
      code: 'amount_too_large',
      message: expect.stringContaining('larger than the desk accepts'),
    });
    expect(refusal('2147483648', 'JPY').code).toBe('amount_too_large');
    expect(refusal('9'.repeat(400), 'JPY').code).toBe('amount_not_a_number');
  });

  it('refuses a comma that could be either a thousands separator or the decimal point of a 3-decimal currency', () => {
    expect(refusal('1,500', 'KWD')).toMatchObject({ code: 'amount_ambiguous', message: expect.stringContaining('1500 or 1.500 KWD') });
    expect(parseAmount('1,50', 'KWD')).toBe(1_500);
    expect(parseAmount('1500', 'KWD')).toBe(1_500_000);
  });

  it('names the field it was given', () => {
    expect(() => parseAmount('x', 'CNY', 'refundAmount')).toThrowError(expect.objectContaining({ field: 'refundAmount' }));
  });
});

describe('formatting', () => {
  it('shows every minor unit of the currency, exactly', () => {
    expect(formatDecimal({ amountMinor: 500, currency: 'JPY' })).toBe('500');
    expect(formatDecimal({ amountMinor: 9_900, currency: 'CNY' })).toBe('99.00');
    expect(formatDecimal({ amountMinor: 5, currency: 'CNY' })).toBe('0.05');
    expect(formatDecimal({ amountMinor: 1_250, currency: 'BHD' })).toBe('1.250');
    expect(formatDecimal({ amountMinor: -990, currency: 'CNY' })).toBe('-9.90');
    expect(formatMoney({ amountMinor: 500, currency: 'JPY' }, 'en')).toBe('¥500');
    expect(formatMoney({ amountMinor: 500, currency: 'JPY' }, 'zh')).toBe('JP¥500');
    expect(formatMoney({ amountMinor: 9_900, currency: 'CNY' }, 'zh')).toBe('¥99.00');
    expect(formatMoney({ amountMinor: 1_250, currency: 'BHD' }, 'en')).toBe('BHD\u00a01.250');
    expect(formatMoney({ amountMinor: 150_000_00, currency: 'IDR' }, 'en')).toBe('IDR\u00a0150,000.00');
    expect(formatMoney({ amountMinor: MAX_AMOUNT_MINOR, currency: 'CNY' }, 'en')).toBe('CN¥21,474,836.47');
    expect(exampleAmount('JPY')).toBe('500');
    expect(exampleAmount('BHD')).toBe('49.500');
    expect(() => formatDecimal({ amountMinor: 1.5, currency: 'CNY' })).toThrow(RangeError);
  });
});

describe('round trips (property)', () => {
  const amount = fc.oneof(fc.integer({ min: 0, max: 1_000 }), fc.integer({ min: 0, max: MAX_AMOUNT_MINOR }));
  const byDigits = {
    0: ['JPY', 'KRW', 'VND', 'CLP', 'ISK'],
    2: ['CNY', 'USD', 'EUR', 'GBP', 'HUF', 'IDR', 'INR'],
    3: ['BHD', 'KWD', 'OMR', 'JOD', 'TND', 'IQD'],
  } as const;

  for (const [digits, currencies] of Object.entries(byDigits)) {
    it(`parse(format(x)) is x for ${digits}-decimal currencies, plain and as shown in Chinese and English`, () => {
      fc.assert(
        fc.property(
          amount,
          fc.constantFrom(...currencies),
          fc.constantFrom('zh' as const, 'en' as const),
          (amountMinor, currency, locale) => {
            expect(minorUnitDigits(currency)).toBe(Number(digits));
            expect(parseAmount(formatDecimal({ amountMinor, currency }), currency)).toBe(amountMinor);
            expect(parseAmount(formatMoney({ amountMinor, currency }, locale), currency)).toBe(amountMinor);
          },
        ),
        { numRuns: 300 },
      );
    });
  }

  it('parse(format(x)) is x for every currency Intl knows', () => {
    fc.assert(
      fc.property(
        amount,
        fc.constantFrom(...Intl.supportedValuesOf('currency')),
        fc.constantFrom('zh' as const, 'en' as const),
        (amountMinor, currency, locale) => {
          expect(parseAmount(formatMoney({ amountMinor, currency }, locale), currency)).toBe(amountMinor);
        },
      ),
      { numRuns: 1_000 },
    );
  });

  it("a typed decimal with at most the currency's decimals is read digit for digit", () => {
    fc.assert(
      fc.property(
        fc.constantFrom('JPY', 'CNY', 'BHD'),
        fc.bigInt({ min: 0n, max: 21_474_836n }),
        fc.nat({ max: 999 }),
        (currency, whole, frac) => {
          const digits = minorUnitDigits(currency);
          const fraction = String(frac).padStart(3, '0').slice(0, digits);
          const typed = digits ? `${whole}.${fraction}` : `${whole}`;
          const expected = BigInt(`${whole}${fraction}`);
          if (expected > BigInt(MAX_AMOUNT_MINOR)) return;
          expect(parseAmount(typed, currency)).toBe(Number(expected));
        },
      ),
    );
  });
});
