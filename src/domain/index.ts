// The domain module's entry: what other modules may use of it (test/unit/architecture.test.ts).
export {
  type Locale,
  localeOrDefault,
  LOCALES,
  PAYMENT_METHODS,
  type PaymentMethod,
  PRODUCT_CATEGORIES,
  type ProductCategory,
  REASON_CODES,
  type ReasonCode,
  type StoredUsageKind,
  USAGE_KINDS,
} from './catalog.ts';
export {
  amountMinorSchema,
  currencySchema,
  exampleAmount,
  formatDecimal,
  formatMoney,
  MAX_AMOUNT_MINOR,
  minorUnitDigits,
  type Money,
  parseAmount,
} from './money.ts';
export { timeAgo } from './time-ago.ts';
export { localParts, zonedMidnight } from './time-zone.ts';
export { deviceSchema } from './device.ts';
