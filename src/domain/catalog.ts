// The platform's vocabulary (API.md), shared by validation, storage and the decision modules.
export const PRODUCT_CATEGORIES = ['course', 'software_key', 'membership', 'template'] as const;
export type ProductCategory = (typeof PRODUCT_CATEGORIES)[number];

export const PAYMENT_METHODS = ['wechat', 'alipay', 'card', 'sandbox'] as const;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];

/** Usage kinds as the platform names them, and as they are stored (dots are not enum-safe). */
export const USAGE_KINDS = {
  'course.progress': 'course_progress',
  'key.revealed': 'key_revealed',
  'key.copied': 'key_copied',
  'key.activated': 'key_activated',
  'file.downloaded': 'file_downloaded',
  'membership.activated': 'membership_activated',
  'software.login': 'software_login',
} as const;
export type PlatformUsageKind = keyof typeof USAGE_KINDS;
export type StoredUsageKind = (typeof USAGE_KINDS)[PlatformUsageKind];

export const REASON_CODES = ['changed_mind', 'unsatisfied', 'cannot_use', 'other'] as const;
export type ReasonCode = (typeof REASON_CODES)[number];

export const LOCALES = ['zh', 'en'] as const;
export type Locale = (typeof LOCALES)[number];

/** An account's stored locale as the desk speaks it: English when set so, else Chinese, the platform's first language. */
export const localeOrDefault = (locale: string | null | undefined): Locale => (locale === 'en' ? 'en' : 'zh');
