// The one place that reads the environment. Every variable is validated here; a bad value stops
// start-up with one line naming the variable (never echoing a secret's value).
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { DEMO_SECRETS, isPublishedSecret, secretWeakness } from './config-secrets.ts';
import { MAX_AMOUNT_MINOR } from './domain/index.ts';

// -----------------------------------------------------------------------------------------------
// Configuration types of the adapters and the risk rules: they live with the configuration (which
// parses them) and the adapters import them, so configuration never depends on an adapter (issue 19).

/** A key WeChat Pay signs with (微信支付公钥 PUB_KEY_ID_…, or a platform certificate's serial) and its public key. */
export interface PlatformKey {
  keyId: string;
  publicKey: KeyObject;
}

export interface WechatPayConfig {
  mchId: string;
  serialNo: string;
  privateKey: KeyObject;
  /** Every key WeChat Pay may sign with now; more than one while a key or certificate is rotated. */
  platformKeys: PlatformKey[];
  apiV3Key: Buffer;
  apiUrl: string;
  /** Where WeChat Pay posts refund results (PUBLIC_URL + /payments/wechat/notify). */
  notifyUrl: string;
}

export interface AlipayConfig {
  appId: string;
  privateKey: KeyObject;
  alipayPublicKey: KeyObject;
  /** The OpenAPI gateway (https://openapi.alipay.com/gateway.do). */
  gatewayUrl: string;
  timeoutMs: number;
}

export interface StripeConfig {
  secretKey: string;
  webhookSecret: string | null;
  /** https://api.stripe.com by default; tests point it at a local server. */
  apiUrl: string;
  timeoutMs: number;
}

/** The risk rules' thresholds (their reasons: src/risk/risk-rules.ts), each overridable by RISK_* variables. */
export const riskThresholdsSchema = z.strictObject({
  windowHours: z
    .number()
    .int()
    .min(1)
    .max(24 * 30),
  deviceRefundsReview: z.number().int().min(2),
  deviceRefundsBlock: z.number().int().min(2),
  deviceAccountsReview: z.number().int().min(2),
  ipRefundsReview: z.number().int().min(2),
  ipRefundsBlock: z.number().int().min(2),
  ringAccounts: z.number().int().min(2),
  ipLinkWindowMinutes: z
    .number()
    .int()
    .min(1)
    .max(24 * 60),
  spikeFactor: z.number().min(1),
  spikeMinRequests: z.number().int().min(1),
});
export type RiskThresholds = z.infer<typeof riskThresholdsSchema>;

export const DEFAULT_RISK_THRESHOLDS: RiskThresholds = {
  windowHours: 24,
  deviceRefundsReview: 4,
  deviceRefundsBlock: 6,
  deviceAccountsReview: 3,
  ipRefundsReview: 6,
  ipRefundsBlock: 10,
  ringAccounts: 3,
  ipLinkWindowMinutes: 60,
  spikeFactor: 5,
  spikeMinRequests: 10,
};

export { DEMO_SECRETS, PUBLISHED_SECRET_VALUES } from './config-secrets.ts';

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`Configuration error: ${variable} ${message}`);
    this.name = 'ConfigError';
  }
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

function urlWithProtocols(protocols: string[]) {
  return z.string().refine(
    (value) => {
      try {
        return protocols.includes(new URL(value).protocol);
      } catch {
        return false;
      }
    },
    { message: `must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}` },
  );
}

const secret = z.string().min(16, 'must be at least 16 characters long');

/**
 * Key material as providers hand it out: a PEM block (newlines may be written as \n in .env files),
 * the bare base64 body of one (Alipay's console gives those), or the path of a file holding either.
 */
function pemCandidates(value: string, kind: 'private' | 'public'): string[] {
  let text = value.replace(/\\n/g, '\n');
  if (!text.startsWith('-----BEGIN') && fs.existsSync(text)) text = fs.readFileSync(text, 'utf8').trim();
  if (text.startsWith('-----BEGIN')) return [text];
  const body = text.replace(/\s+/g, '').replace(/(.{64})/g, '$1\n');
  const labels = kind === 'private' ? ['PRIVATE KEY', 'RSA PRIVATE KEY'] : ['PUBLIC KEY', 'RSA PUBLIC KEY'];
  return labels.map((label) => `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----`);
}

function readKey(value: string, kind: 'private' | 'public'): KeyObject | null {
  for (const pem of pemCandidates(value, kind)) {
    try {
      const key = kind === 'private' ? createPrivateKey(pem) : createPublicKey(pem);
      if (key.asymmetricKeyType === 'rsa') return key;
    } catch {
      // Try the next reading of the value.
    }
  }
  return null;
}

function keySchema(kind: 'private' | 'public') {
  return z.string().transform((value, ctx): KeyObject => {
    const key = readKey(value, kind);
    if (key) return key;
    ctx.addIssue({ code: 'custom', message: `must be an RSA ${kind} key: PEM, its base64 body, or the path of a file holding it` });
    return z.NEVER;
  });
}

/** One or more public keys, comma-separated (a key rotation: the new and the old key, both trusted). */
const publicKeysSchema = z.string().transform((value, ctx): KeyObject[] => {
  const keys = value.split(',').map((part) => readKey(part.trim(), 'public'));
  if (keys.every((key) => key !== null)) return keys;
  ctx.addIssue({
    code: 'custom',
    message:
      'must be one or more RSA public keys (or certificates), comma-separated: PEM, its base64 body, or the path of a file holding it',
  });
  return z.NEVER;
});
const port = z.coerce
  .number({ message: 'must be a number' })
  .int('must be a whole number')
  .min(0, 'must be between 0 and 65535')
  .max(65535, 'must be between 0 and 65535');

function milliseconds(min: number, max: number) {
  const range = `must be between ${min} and ${max} (milliseconds)`;
  return z.coerce
    .number({ message: 'must be a number of milliseconds' })
    .int('must be a whole number of milliseconds')
    .min(min, range)
    .max(max, range);
}

function trustProxyOf(value: string | undefined): boolean | number | string[] {
  if (value === undefined || value === 'false') return false;
  if (value === 'true') return true;
  if (/^\d+$/.test(value)) return Number(value);
  return value.split(',').map((part) => part.trim());
}

/** Each variable's schema; `undefined` means "not set" (empty strings count as not set). */
const variables = {
  NODE_ENV: z.enum(['development', 'production', 'test']).optional(),
  HOST: z.string().min(1).optional(),
  PORT: port.optional(),
  PUBLIC_URL: urlWithProtocols(['http:', 'https:']).optional(),
  LOG_LEVEL: z.enum(LOG_LEVELS, { message: `must be one of ${LOG_LEVELS.join(', ')}` }).optional(),
  DATABASE_URL: urlWithProtocols(['postgres:', 'postgresql:']).optional(),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).optional(),
  REDIS_URL: urlWithProtocols(['redis:', 'rediss:']).optional(),
  REDIS_KEY_PREFIX: z
    .string()
    .regex(/^[\w:.-]{1,64}$/, 'must be 1-64 letters, digits or : . - _')
    .optional(),
  DATA_DIR: z.string().min(1).optional(),
  DEMO_SEED: z.enum(['auto', 'on', 'off'], { message: 'must be auto, on or off' }).optional(),
  BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(50 * 1024 * 1024)
    .optional(),
  HTTP_REQUEST_TIMEOUT_MS: milliseconds(1_000, 600_000).optional(),
  HTTP_HEADERS_TIMEOUT_MS: milliseconds(1_000, 120_000).optional(),
  HTTP_KEEP_ALIVE_TIMEOUT_MS: milliseconds(1_000, 600_000).optional(),
  HTTP_MAX_CONNECTIONS: z.coerce
    .number({ message: 'must be a number' })
    .int('must be a whole number')
    .min(2, 'must be between 2 and 1000000')
    .max(1_000_000, 'must be between 2 and 1000000')
    .optional(),
  TRUST_PROXY: z
    .string()
    .regex(
      /^(true|false|\d{1,2}|[0-9a-fA-F.:/]+(\s*,\s*[0-9a-fA-F.:/]+)*)$/,
      'must be false, true, a number of proxy hops, or comma-separated proxy addresses/CIDRs such as 10.0.0.0/8',
    )
    .optional(),
  PLATFORM_WEBHOOK_SECRET: secret.optional(),
  PLATFORM_API_KEY: secret.optional(),
  PLATFORM_CALLBACK_URL: urlWithProtocols(['http:', 'https:']).optional(),
  PLATFORM_USAGE_URL: urlWithProtocols(['http:', 'https:']).optional(),
  CHAT_TOKEN_SECRET: secret.optional(),
  SANDBOX_PAYMENTS: z.enum(['on', 'off'], { message: 'must be on or off' }).optional(),
  GATEWAY_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).optional(),
  WECHATPAY_MCH_ID: z
    .string()
    .regex(/^\d{6,32}$/, 'must be a WeChat Pay merchant id (digits)')
    .optional(),
  WECHATPAY_MCH_SERIAL_NO: z
    .string()
    .regex(/^[0-9A-Fa-f]{8,64}$/, 'must be the merchant API certificate serial number (hex)')
    .optional(),
  WECHATPAY_PRIVATE_KEY: keySchema('private').optional(),
  WECHATPAY_PLATFORM_PUBLIC_KEY: publicKeysSchema.optional(),
  WECHATPAY_PLATFORM_PUBLIC_KEY_ID: z
    .string()
    .regex(
      /^[\w-]{6,64}(,[\w-]{6,64})*$/,
      'must be the platform key id(s) WeChat Pay signs with (PUB_KEY_ID_... or a certificate serial), comma-separated in the order of the keys',
    )
    .transform((ids) => ids.split(','))
    .optional(),
  WECHATPAY_APIV3_KEY: z.string().length(32, 'must be the 32-character APIv3 key').optional(),
  WECHATPAY_API_URL: urlWithProtocols(['https:', 'http:']).optional(),
  ALIPAY_APP_ID: z
    .string()
    .regex(/^\d{8,32}$/, 'must be an Alipay app id (digits)')
    .optional(),
  ALIPAY_PRIVATE_KEY: keySchema('private').optional(),
  ALIPAY_PUBLIC_KEY: keySchema('public').optional(),
  ALIPAY_GATEWAY_URL: urlWithProtocols(['https:', 'http:']).optional(),
  STRIPE_SECRET_KEY: z
    .string()
    .regex(/^(sk|rk)_(test|live)_\w{8,}$/, 'must be a Stripe secret key (sk_live_... or sk_test_...)')
    .optional(),
  STRIPE_WEBHOOK_SECRET: z
    .string()
    .regex(/^whsec_\w{8,}$/, 'must be a Stripe webhook signing secret (whsec_...)')
    .optional(),
  STRIPE_API_URL: urlWithProtocols(['https:', 'http:']).optional(),
  USAGE_CHECK_TIMEOUT_MS: z.coerce.number().int().min(50).max(30_000).optional(),
  RISK_THRESHOLDS: z
    .string()
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be a JSON object' });
        return z.NEVER;
      }
    })
    .pipe(riskThresholdsSchema.partial())
    .optional(),
  TELEGRAM_BOT_TOKEN: z
    .string()
    .regex(/^\d+:[\w-]+$/, 'must look like 123456:ABC-token')
    .optional(),
  TELEGRAM_API_ROOT: urlWithProtocols(['http:', 'https:']).optional(),
  TELEGRAM_BOT_USERNAME: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9_]{3,31}$/, 'must be a Telegram bot username such as refund_desk_bot')
    .optional(),
  TELEGRAM_WEBHOOK_URL: urlWithProtocols(['https:', 'http:']).optional(),
  TELEGRAM_WEBHOOK_SECRET: z
    .string()
    .regex(/^[A-Za-z0-9_-]{16,256}$/, 'must be 16-256 of A-Z a-z 0-9 _ -')
    .optional(),
  WIDGET_ALLOWED_ORIGINS: z
    .string()
    .transform((text) =>
      text
        .split(',')
        .map((o) => o.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string().regex(/^https?:\/\/[^/\s]+$/, 'must be comma-separated origins such as https://shop.example.com')).min(1))
    .optional(),
  SLACK_BOT_TOKEN: z
    .string()
    .regex(/^xox[a-z]-/, 'must be a Slack bot token (xoxb-...)')
    .optional(),
  SLACK_SIGNING_SECRET: z.string().min(8, 'must be at least 8 characters long').optional(),
  SLACK_DESK_CHANNEL: z
    .string()
    .regex(/^[A-Z0-9]{6,}$/, 'must be a Slack channel id such as C0123456789')
    .optional(),
  SLACK_RISK_CHANNEL: z
    .string()
    .regex(/^[A-Z0-9]{6,}$/, 'must be a Slack channel id such as C0123456789')
    .optional(),
  SLACK_API_URL: urlWithProtocols(['http:', 'https:']).optional(),
  SLACK_DESK_USERGROUP: z
    .string()
    .regex(/^S[A-Z0-9]{6,}$/, 'must be a Slack user group id such as S0123456789')
    .optional(),
  SLACK_SLA_REMIND_MINUTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .optional(),
  SLACK_SLA_ESCALATE_MINUTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(7 * 24 * 60)
    .optional(),
  // Four-eyes approval (issue 22): "CNY:50000,USD:10000", minor units per currency. An agent's approval
  // above its currency's figure waits for a second desk member; a currency not listed has none.
  SLACK_SECOND_APPROVAL_ABOVE_MINOR: z
    .string()
    .transform((text, ctx) => {
      const limits: Record<string, number> = {};
      for (const part of text
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean)) {
        const match = /^([A-Z]{3})\s*:\s*(\d{1,10})$/.exec(part);
        const minor = match ? Number(match[2]) : NaN;
        if (!match || !Number.isSafeInteger(minor) || minor > MAX_AMOUNT_MINOR) {
          ctx.addIssue({
            code: 'custom',
            message: `must be CURRENCY:minor-units pairs such as CNY:50000,USD:10000 (not "${part.slice(0, 40)}")`,
          });
          return z.NEVER;
        }
        if (match[1]! in limits) {
          ctx.addIssue({ code: 'custom', message: `names ${match[1]} twice` });
          return z.NEVER;
        }
        limits[match[1]!] = minor;
      }
      if (Object.keys(limits).length === 0) {
        ctx.addIssue({ code: 'custom', message: 'must name at least one currency, such as CNY:50000' });
        return z.NEVER;
      }
      return limits;
    })
    .optional(),
  SLACK_ESCALATION_MENTION: z
    .string()
    .regex(/^<(!here|!channel|!subteam\^S[A-Z0-9]+|@U[A-Z0-9]+)>$/, 'must be a Slack mention such as <!here> or <!subteam^S0123456789>')
    .optional(),
  SMTP_URL: urlWithProtocols(['smtp:', 'smtps:']).optional(),
  SMTP_FROM: z.string().min(3).optional(),
} satisfies Record<string, z.ZodType>;

type VariableName = keyof typeof variables;
type Raw = { [K in VariableName]: z.output<(typeof variables)[K]> };

export type RunMode = 'embedded' | 'production';

export interface Config {
  env: 'development' | 'production' | 'test';
  host: string;
  port: number;
  publicUrl: string;
  logLevel: (typeof LOG_LEVELS)[number];
  /** embedded: PGlite + in-process cache; production: PostgreSQL (+ Redis when set). */
  database: { kind: 'postgres'; url: string; poolSize: number } | { kind: 'pglite'; dataDir: string };
  redis: { url: string; keyPrefix: string } | null;
  dataDir: string;
  seedDemo: boolean;
  bodyLimitBytes: number;
  /** Node's HTTP server limits: slow or idle clients are cut off, and connections past the cap refused. */
  http: {
    /** The whole request (headers and body) must arrive within this; the handler's own time is not counted. */
    requestTimeoutMs: number;
    headersTimeoutMs: number;
    /** An idle keep-alive connection is closed after this. */
    keepAliveTimeoutMs: number;
    /** Open connections at most, widget sockets included; more are refused. */
    maxConnections: number;
    /**
     * Whose X-Forwarded-For to believe for the client's address (widget caps, risk sightings): false
     * (the socket's peer), true (any: only behind a proxy that overwrites the header), a hop count, or
     * the proxies' addresses. Believing it from anyone would let a buyer choose their own IP.
     */
    trustProxy: boolean | number | string[];
  };
  platform: {
    webhookSecret: string;
    apiKey: string;
    callbackUrl: string | null;
    usageUrl: string | null;
    /** True when the secrets are the printed demo ones (the embedded default, or a test run, without them set). */
    usingDemoSecrets: boolean;
  };
  chatTokenSecret: string;
  payments: {
    /** The sandbox gateway serves every payment method without a real rail (demo, tests); off by default in production. */
    sandbox: boolean;
    gatewayTimeoutMs: number;
    /** Real rails, each on when its variables are set; a configured rail takes its method from the sandbox. */
    wechat: WechatPayConfig | null;
    alipay: AlipayConfig | null;
    stripe: StripeConfig | null;
  };
  usageCheckTimeoutMs: number;
  risk: RiskThresholds;
  telegram: { token: string; apiRoot: string; webhookUrl: string | null; webhookSecret: string | null } | null;
  /** The bot's username, for https://t.me/<bot>?start=<token> links (set even without a token). */
  telegramBotUsername: string | null;
  /** Shop page origins allowed to open the widget's socket; null: any (the chat token is the credential). */
  widgetAllowedOrigins: string[] | null;
  slack: {
    botToken: string;
    signingSecret: string;
    deskChannel: string;
    riskChannel: string | null;
    apiUrl: string;
    /** Members of this user group may act on tickets too (besides members of the desk channel). */
    userGroup: string | null;
    /** SLA: an unclaimed ticket is reminded about after this long, then escalated with the mention. */
    remindAfterMs: number;
    escalateAfterMs: number;
    escalationMention: string;
    /** Four-eyes approval: an approval above this many minor units of its order's currency needs a second agent; a currency not listed needs none. */
    secondApprovalAboveMinor: Record<string, number>;
  } | null;
  smtp: { url: string; from: string } | null;
}

function parseRaw(env: NodeJS.ProcessEnv): Raw {
  const out: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(variables)) {
    const value = env[name];
    const input = value === undefined || value.trim() === '' ? undefined : value.trim();
    const result = (schema as z.ZodType).safeParse(input);
    if (!result.success) {
      const issue = result.error.issues[0];
      const where = issue && issue.path.length > 0 ? `${name}.${issue.path.join('.')}` : name;
      throw new ConfigError(where, issue?.message ?? 'is invalid');
    }
    out[name] = result.data;
  }
  return out as Raw;
}

function requireTogether(raw: Raw, when: VariableName, needs: VariableName[]): void {
  if (raw[when] === undefined) return;
  for (const name of needs) {
    if (raw[name] === undefined) throw new ConfigError(name, `must be set when ${when} is set`);
  }
}

/** The platform's secrets: required, and distinct, everywhere but the embedded default. */
const PLATFORM_SECRETS = ['PLATFORM_WEBHOOK_SECRET', 'PLATFORM_API_KEY', 'CHAT_TOKEN_SECRET'] as const;

/**
 * Secrets production checks against the published values; with a minimum length, the operator chose
 * the value, so an obviously weak one is refused too (the part after `prefix`, where the provider
 * fixes one). Tokens a provider issues are never weak, but one copied from an example is refused.
 */
const PRODUCTION_SECRETS: ReadonlyArray<{ name: VariableName; minLength?: number; prefix?: RegExp }> = [
  { name: 'PLATFORM_WEBHOOK_SECRET', minLength: 16 },
  { name: 'PLATFORM_API_KEY', minLength: 16 },
  { name: 'CHAT_TOKEN_SECRET', minLength: 16 },
  { name: 'TELEGRAM_WEBHOOK_SECRET', minLength: 16 },
  { name: 'SLACK_SIGNING_SECRET', minLength: 16 },
  { name: 'STRIPE_WEBHOOK_SECRET', minLength: 8, prefix: /^whsec_/ },
  { name: 'WECHATPAY_APIV3_KEY', minLength: 32 },
  { name: 'STRIPE_SECRET_KEY' },
  { name: 'TELEGRAM_BOT_TOKEN' },
  { name: 'SLACK_BOT_TOKEN' },
  { name: 'SMTP_URL' },
];

/** The names of the variables that hold secrets (documentation checks read examples of these). */
export const SECRET_VARIABLES: readonly string[] = PRODUCTION_SECRETS.map((s) => s.name);

const PUBLISHED = 'a published example value (the demo, README.md or .env.example)';

function refusePublicOrWeakSecrets(env: NodeJS.ProcessEnv): void {
  const given = (name: VariableName) => env[name]?.trim() || undefined;
  for (const { name, minLength, prefix } of PRODUCTION_SECRETS) {
    const value = given(name);
    if (value === undefined) continue;
    if (isPublishedSecret(value)) {
      throw new ConfigError(
        name,
        `is ${PUBLISHED}; ${minLength === undefined ? 'use the one the provider issued you' : 'generate a new one, e.g. openssl rand -hex 32'}`,
      );
    }
    if (name === 'SMTP_URL') {
      const password = decodeURIComponent(new URL(value).password);
      if (password && isPublishedSecret(password)) throw new ConfigError(name, `has a password that is ${PUBLISHED}`);
      continue;
    }
    if (minLength === undefined) continue;
    const weakness = secretWeakness(prefix ? value.replace(prefix, '') : value, minLength);
    if (weakness) throw new ConfigError(name, `is too weak for production: ${weakness}`);
  }
  // The API key travels in every request's header: if it were also the HMAC key, whoever saw one
  // request (a proxy log) could sign events and chat tokens.
  for (const [i, a] of PLATFORM_SECRETS.entries()) {
    for (const b of PLATFORM_SECRETS.slice(i + 1)) {
      if (given(a) === given(b)) throw new ConfigError(b, `must differ from ${a}`);
    }
  }
}

/** Reads and validates the environment. Throws ConfigError naming the first bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const raw = parseRaw(env);
  const nodeEnv = raw.NODE_ENV ?? 'development';
  const production = nodeEnv === 'production';

  const embedded = raw.DATABASE_URL === undefined;

  // The demo secrets stand in only on the embedded default (and in test runs). Anywhere else a missing
  // secret is a deployment that forgot it, and a silent fallback would open it to anyone who read the README.
  const demoSecretsAllowed = !production && (embedded || nodeEnv === 'test');
  if (!demoSecretsAllowed) {
    for (const name of PLATFORM_SECRETS) {
      if (raw[name] === undefined) {
        throw new ConfigError(
          name,
          production
            ? 'must be set when NODE_ENV=production'
            : 'must be set when DATABASE_URL is set (the demo secrets serve the embedded default only)',
        );
      }
    }
  }
  if (production && embedded) throw new ConfigError('DATABASE_URL', 'must be set when NODE_ENV=production');
  if (production) refusePublicOrWeakSecrets(env);
  if (production && raw.DEMO_SEED === 'on') {
    throw new ConfigError(
      'DEMO_SEED',
      'must not be on when NODE_ENV=production (the demo page hands out chat tokens and places orders without credentials)',
    );
  }
  requireTogether(raw, 'SLACK_BOT_TOKEN', ['SLACK_SIGNING_SECRET', 'SLACK_DESK_CHANNEL']);
  requireTogether(raw, 'TELEGRAM_WEBHOOK_URL', ['TELEGRAM_BOT_TOKEN', 'TELEGRAM_WEBHOOK_SECRET']);
  requireTogether(raw, 'WECHATPAY_MCH_ID', [
    'WECHATPAY_MCH_SERIAL_NO',
    'WECHATPAY_PRIVATE_KEY',
    'WECHATPAY_PLATFORM_PUBLIC_KEY',
    'WECHATPAY_PLATFORM_PUBLIC_KEY_ID',
    'WECHATPAY_APIV3_KEY',
  ]);
  if (raw.WECHATPAY_PLATFORM_PUBLIC_KEY && raw.WECHATPAY_PLATFORM_PUBLIC_KEY.length !== raw.WECHATPAY_PLATFORM_PUBLIC_KEY_ID?.length) {
    throw new ConfigError(
      'WECHATPAY_PLATFORM_PUBLIC_KEY_ID',
      'must name one key id per key in WECHATPAY_PLATFORM_PUBLIC_KEY, in the same order',
    );
  }
  requireTogether(raw, 'ALIPAY_APP_ID', ['ALIPAY_PRIVATE_KEY', 'ALIPAY_PUBLIC_KEY']);
  requireTogether(raw, 'STRIPE_SECRET_KEY', ['STRIPE_WEBHOOK_SECRET']);

  const host = raw.HOST ?? (production ? '0.0.0.0' : '127.0.0.1');
  const listenPort = raw.PORT ?? 3000;
  const dataDir = path.resolve(raw.DATA_DIR ?? '.data');
  const seedDemo = !production && (raw.DEMO_SEED === 'on' || (raw.DEMO_SEED !== 'off' && embedded));
  const requestTimeoutMs = raw.HTTP_REQUEST_TIMEOUT_MS ?? 30_000;
  const headersTimeoutMs = raw.HTTP_HEADERS_TIMEOUT_MS ?? Math.min(10_000, requestTimeoutMs);
  if (headersTimeoutMs > requestTimeoutMs)
    throw new ConfigError('HTTP_HEADERS_TIMEOUT_MS', 'must not be longer than HTTP_REQUEST_TIMEOUT_MS');

  const publicUrl = raw.PUBLIC_URL ?? `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${listenPort}`;
  const gatewayTimeoutMs = raw.GATEWAY_TIMEOUT_MS ?? 5_000;

  return {
    env: nodeEnv,
    host,
    port: listenPort,
    publicUrl,
    logLevel: raw.LOG_LEVEL ?? (nodeEnv === 'test' ? 'silent' : 'info'),
    database: embedded
      ? { kind: 'pglite', dataDir: path.join(dataDir, 'pglite') }
      : { kind: 'postgres', url: raw.DATABASE_URL!, poolSize: raw.DATABASE_POOL_SIZE ?? 10 },
    redis: raw.REDIS_URL ? { url: raw.REDIS_URL, keyPrefix: raw.REDIS_KEY_PREFIX ?? 'refund-desk:' } : null,
    dataDir,
    seedDemo,
    bodyLimitBytes: raw.BODY_LIMIT_BYTES ?? 1024 * 1024,
    http: {
      requestTimeoutMs,
      headersTimeoutMs,
      // Longer than a load balancer's idle timeout (60 s on most), so the balancer never reuses a connection the desk is closing.
      keepAliveTimeoutMs: raw.HTTP_KEEP_ALIVE_TIMEOUT_MS ?? 72_000,
      maxConnections: raw.HTTP_MAX_CONNECTIONS ?? 10_000,
      trustProxy: trustProxyOf(raw.TRUST_PROXY),
    },
    platform: {
      webhookSecret: raw.PLATFORM_WEBHOOK_SECRET ?? DEMO_SECRETS.platformWebhookSecret,
      apiKey: raw.PLATFORM_API_KEY ?? DEMO_SECRETS.platformApiKey,
      callbackUrl: raw.PLATFORM_CALLBACK_URL ?? null,
      usageUrl: raw.PLATFORM_USAGE_URL ?? null,
      usingDemoSecrets: PLATFORM_SECRETS.some((name) => raw[name] === undefined),
    },
    chatTokenSecret: raw.CHAT_TOKEN_SECRET ?? DEMO_SECRETS.chatTokenSecret,
    payments: {
      sandbox: raw.SANDBOX_PAYMENTS ? raw.SANDBOX_PAYMENTS === 'on' : !production,
      gatewayTimeoutMs,
      wechat: raw.WECHATPAY_MCH_ID
        ? {
            mchId: raw.WECHATPAY_MCH_ID,
            serialNo: raw.WECHATPAY_MCH_SERIAL_NO!,
            privateKey: raw.WECHATPAY_PRIVATE_KEY!,
            platformKeys: raw.WECHATPAY_PLATFORM_PUBLIC_KEY!.map((publicKey, i) => ({
              keyId: raw.WECHATPAY_PLATFORM_PUBLIC_KEY_ID![i]!,
              publicKey,
            })),
            apiV3Key: Buffer.from(raw.WECHATPAY_APIV3_KEY!, 'utf8'),
            apiUrl: raw.WECHATPAY_API_URL ?? 'https://api.mch.weixin.qq.com',
            notifyUrl: new URL('/payments/wechat/notify', publicUrl).toString(),
          }
        : null,
      alipay: raw.ALIPAY_APP_ID
        ? {
            appId: raw.ALIPAY_APP_ID,
            privateKey: raw.ALIPAY_PRIVATE_KEY!,
            alipayPublicKey: raw.ALIPAY_PUBLIC_KEY!,
            gatewayUrl: raw.ALIPAY_GATEWAY_URL ?? 'https://openapi.alipay.com/gateway.do',
            timeoutMs: gatewayTimeoutMs,
          }
        : null,
      stripe: raw.STRIPE_SECRET_KEY
        ? {
            secretKey: raw.STRIPE_SECRET_KEY,
            webhookSecret: raw.STRIPE_WEBHOOK_SECRET ?? null,
            apiUrl: raw.STRIPE_API_URL ?? 'https://api.stripe.com',
            timeoutMs: gatewayTimeoutMs,
          }
        : null,
    },
    usageCheckTimeoutMs: raw.USAGE_CHECK_TIMEOUT_MS ?? 800,
    risk: { ...DEFAULT_RISK_THRESHOLDS, ...raw.RISK_THRESHOLDS },
    telegram: raw.TELEGRAM_BOT_TOKEN
      ? {
          token: raw.TELEGRAM_BOT_TOKEN,
          apiRoot: raw.TELEGRAM_API_ROOT ?? 'https://api.telegram.org',
          webhookUrl: raw.TELEGRAM_WEBHOOK_URL ?? null,
          webhookSecret: raw.TELEGRAM_WEBHOOK_SECRET ?? null,
        }
      : null,
    telegramBotUsername: raw.TELEGRAM_BOT_USERNAME ?? null,
    widgetAllowedOrigins: raw.WIDGET_ALLOWED_ORIGINS ?? null,
    slack: raw.SLACK_BOT_TOKEN
      ? {
          botToken: raw.SLACK_BOT_TOKEN,
          signingSecret: raw.SLACK_SIGNING_SECRET!,
          deskChannel: raw.SLACK_DESK_CHANNEL!,
          riskChannel: raw.SLACK_RISK_CHANNEL ?? null,
          apiUrl: raw.SLACK_API_URL ?? 'https://slack.com/api/',
          userGroup: raw.SLACK_DESK_USERGROUP ?? null,
          remindAfterMs: (raw.SLACK_SLA_REMIND_MINUTES ?? 15) * 60_000,
          escalateAfterMs: Math.max(raw.SLACK_SLA_ESCALATE_MINUTES ?? 60, (raw.SLACK_SLA_REMIND_MINUTES ?? 15) + 1) * 60_000,
          escalationMention: raw.SLACK_ESCALATION_MENTION ?? '<!here>',
          secondApprovalAboveMinor: raw.SLACK_SECOND_APPROVAL_ABOVE_MINOR ?? {},
        }
      : null,
    smtp: raw.SMTP_URL ? { url: raw.SMTP_URL, from: raw.SMTP_FROM ?? 'Refund desk <refund-desk@localhost>' } : null,
  };
}

/** The variables this module reads, for documentation checks (every one is in .env.example). */
export const CONFIG_VARIABLES = Object.keys(variables) as VariableName[];
