// Which secret values production refuses: the demo ones the desk prints at start-up, every example
// value this project publishes (README.md, .env.example), and the obviously weak. Anyone who read the
// README knows the published ones, so a desk running on one is open to them.

/** Demo credentials for the embedded default only; printed at start-up, refused in production. */
export const DEMO_SECRETS = {
  platformWebhookSecret: 'demo-webhook-secret-change-me',
  platformApiKey: 'demo-api-key-change-me',
  chatTokenSecret: 'demo-chat-token-secret-change-me',
} as const;

/**
 * Every secret-looking value the project publishes. test/unit/config.test.ts reads README.md and
 * .env.example and fails when an example value there is missing here, so this list cannot drift.
 */
export const PUBLISHED_SECRET_VALUES: readonly string[] = [
  ...Object.values(DEMO_SECRETS),
  // .env.example's SMTP_URL example, and the password in it.
  'smtp://user:pass@mail.example.com:587',
  'pass',
  // The README's name for a placeholder left in place (refused in any form: see isPublishedSecret).
  'change-me',
  // Stripe's own documentation key, which examples everywhere copy.
  'sk_test_4eC39HqLyjWDarjtT1zdp7dc',
];

const published = new Set(PUBLISHED_SECRET_VALUES.map((value) => value.toLowerCase()));

/** True for a published value, or one that is a published demo value dressed up ("…-change-me-2"). */
export function isPublishedSecret(value: string): boolean {
  const lower = value.toLowerCase();
  if (published.has(lower)) return true;
  if (Object.values(DEMO_SECRETS).some((demo) => lower.includes(demo))) return true;
  // A placeholder someone forgot to replace.
  return /change[-_ ]?me|replace[-_ ]?me/.test(lower);
}

/** The smallest unit the whole value repeats ("abab…", "secret1secret1"), or null. */
function repeatedUnit(value: string): string | null {
  for (let size = 1; size <= value.length / 2; size += 1) {
    const unit = value.slice(0, size);
    if (unit.repeat(Math.ceil(value.length / size)).startsWith(value)) return unit;
  }
  return null;
}

/** Why a secret is too weak for production, or null. Never says the value. */
export function secretWeakness(value: string, minLength: number): string | null {
  if (value.length < minLength) return `shorter than ${minLength} characters`;
  const unit = repeatedUnit(value);
  if (unit?.length === 1) return 'one character repeated';
  if (unit) return 'a short pattern repeated';
  if (new Set(value).size < 5) return 'fewer than 5 different characters';
  return null;
}
