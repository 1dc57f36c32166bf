import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES, ConfigError, DEMO_SECRETS, loadConfig, PUBLISHED_SECRET_VALUES, SECRET_VARIABLES } from '../../src/config.ts';

/** Real-looking production variables: distinct random secrets on PostgreSQL. */
const PRODUCTION = {
  NODE_ENV: 'production',
  DATABASE_URL: 'postgres://db/desk',
  PLATFORM_WEBHOOK_SECRET: '3f9c2b7e8a1d4c6b9e0f5a2d7c1b8e4f',
  PLATFORM_API_KEY: 'Zq7R-mK2pX9vL4tB8nW1cY6hJ3sD0fGa',
  CHAT_TOKEN_SECRET: 'c8d1e6f3a9b2475e8c0d3f6a1b9e2c7d',
};

function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`loadConfig accepted ${Object.keys(env).join(', ')}`);
}

/**
 * Secret-looking example values in a document: assignments to a secret variable, bearer tokens, HMAC
 * keys on a command line or in a formula, provider token shapes, credentials in a URL, and anything
 * called change-me. Placeholders (<key>, whsec_…, $VAR) are not values.
 */
function exampleSecrets(text: string): Set<string> {
  const found = new Set<string>();
  const value = '["\']?([^\\s"\'`<>()$]+)';
  const patterns = [
    new RegExp(`\\b(?:${SECRET_VARIABLES.join('|')})[ \\t]*[=:][ \\t]*${value}`, 'g'),
    new RegExp(`\\bBearer[ \\t]+${value}`, 'gi'),
    new RegExp(`-hmac[ \\t]+${value}`, 'g'),
    /HMAC(?:-SHA256)?\([^,)]*,\s*"([^"]+)"\)/g,
    /\b(whsec_[A-Za-z0-9]{6,}|(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{6,}|xox[abpr]-[A-Za-z0-9-]{4,}|\d{5,}:[A-Za-z0-9_-]{20,})/g,
    /\b[a-z][a-z0-9+.-]*:\/\/[^\s:@/]+:([^\s@/]+)@/g,
    /\b([a-z][a-z0-9+.-]*:\/\/[^\s:@/]+:[^\s@/]+@[^\s"'`)]+)/g,
    /([\w-]*change-?me[\w-]*)/gi,
  ];
  for (const pattern of patterns) {
    for (const match of text.matchAll(pattern)) {
      const candidate = match[1]!.replace(/[.,;:]+$/, '');
      if (/[…<>{}$]|\.\.\./.test(candidate) || candidate.length < 4) continue;
      found.add(candidate);
    }
  }
  return found;
}

describe('configuration', () => {
  it('runs on the embedded default with no variables at all', () => {
    const config = loadConfig({});
    expect(config.database.kind).toBe('pglite');
    expect(config.redis).toBeNull();
    expect(config.port).toBe(3000);
    expect(config.seedDemo).toBe(true);
    expect(config.platform.usingDemoSecrets).toBe(true);
    expect(config.platform.webhookSecret).toBe(DEMO_SECRETS.platformWebhookSecret);
    expect(config.telegram).toBeNull();
    expect(config.slack).toBeNull();
    expect(config.smtp).toBeNull();
  });

  it('switches to PostgreSQL and Redis, and stops seeding the demo, when their URLs are set', () => {
    const { NODE_ENV: _production, ...secrets } = PRODUCTION;
    const config = loadConfig({ ...secrets, DATABASE_URL: 'postgresql://u@db:5432/desk', REDIS_URL: 'redis://cache:6379' });
    expect(config.database).toEqual({ kind: 'postgres', url: 'postgresql://u@db:5432/desk', poolSize: 10 });
    expect(config.redis?.url).toBe('redis://cache:6379');
    expect(config.seedDemo).toBe(false);
  });

  it.each([
    ['PORT', 'abc', /PORT must be a number/],
    ['PORT', '70000', /PORT must be between 0 and 65535/],
    ['DATABASE_URL', 'mysql://x', /DATABASE_URL must be a URL starting with postgres:/],
    ['REDIS_URL', 'not a url', /REDIS_URL must be a URL/],
    ['LOG_LEVEL', 'loud', /LOG_LEVEL must be one of/],
    ['PLATFORM_WEBHOOK_SECRET', 'short', /PLATFORM_WEBHOOK_SECRET must be at least 16/],
    ['SLACK_DESK_CHANNEL', '#desk', /SLACK_DESK_CHANNEL must be a Slack channel id/],
    ['TELEGRAM_BOT_TOKEN', 'nope', /TELEGRAM_BOT_TOKEN must look like/],
    ['SMTP_URL', 'http://mail', /SMTP_URL must be a URL starting with smtp:/],
  ])('refuses %s=%s with one line naming the variable', (name, value, pattern) => {
    let error: unknown;
    try {
      loadConfig({ [name]: value });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe(name);
    expect((error as Error).message).toMatch(pattern);
    expect((error as Error).message).not.toContain('\n');
  });

  it('never echoes a secret value in its error', () => {
    expect(() => loadConfig({ PLATFORM_API_KEY: 'tiny-secret' })).toThrow(/PLATFORM_API_KEY/);
    try {
      loadConfig({ PLATFORM_API_KEY: 'tiny-secret' });
    } catch (e) {
      expect((e as Error).message).not.toContain('tiny-secret');
    }
  });

  it('requires real secrets and a database in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/PLATFORM_WEBHOOK_SECRET must be set when NODE_ENV=production/);
    const config = loadConfig(PRODUCTION);
    expect(config.platform.usingDemoSecrets).toBe(false);
    expect(config.host).toBe('0.0.0.0');
    expect(configError({ ...PRODUCTION, DATABASE_URL: '' }).variable).toBe('DATABASE_URL');
  });

  describe('production refuses published and weak secrets', () => {
    it.each([
      ['PLATFORM_WEBHOOK_SECRET', DEMO_SECRETS.platformWebhookSecret],
      ['PLATFORM_API_KEY', DEMO_SECRETS.platformApiKey],
      ['CHAT_TOKEN_SECRET', DEMO_SECRETS.chatTokenSecret],
      // Any demo value in any platform secret, and the README's values dressed up.
      ['PLATFORM_API_KEY', DEMO_SECRETS.platformWebhookSecret],
      ['CHAT_TOKEN_SECRET', `${DEMO_SECRETS.platformApiKey}-2`],
      ['PLATFORM_WEBHOOK_SECRET', 'DEMO-WEBHOOK-SECRET-CHANGE-ME'],
      ['PLATFORM_API_KEY', 'our-production-key-changeme'],
    ])('%s=<%s> stops start-up with one line naming it, never the value', (name, value) => {
      const error = configError({ ...PRODUCTION, [name]: value });
      expect(error.variable).toBe(name);
      expect(error.message).toMatch(new RegExp(`^Configuration error: ${name} is a published example value`));
      expect(error.message).not.toContain('\n');
      expect(error.message.toLowerCase()).not.toContain(value.toLowerCase());
    });

    it.each([
      [
        'TELEGRAM_WEBHOOK_SECRET',
        { TELEGRAM_BOT_TOKEN: '123456:AAHk-secret-bot-token', TELEGRAM_WEBHOOK_URL: 'https://desk.example.com/telegram/webhook' },
      ],
      ['SLACK_SIGNING_SECRET', { SLACK_BOT_TOKEN: 'xoxb-1234-5678-abcdEFGH', SLACK_DESK_CHANNEL: 'C0123456' }],
      ['STRIPE_WEBHOOK_SECRET', { STRIPE_SECRET_KEY: 'sk_live_51HqLyjWDarjtT1zdp7dcXYZ' }],
    ])('refuses a published value in %s too', (name, companions) => {
      const published = `${name === 'STRIPE_WEBHOOK_SECRET' ? 'whsec_' : ''}${DEMO_SECRETS.platformWebhookSecret.replace(/-/g, '_')}`;
      const error = configError({ ...PRODUCTION, ...companions, [name]: published });
      expect(error.variable).toBe(name);
      expect(error.message).toMatch(/published example value/);
    });

    it('refuses every value the project publishes, in the secret it would be used for', () => {
      const stripe = { STRIPE_WEBHOOK_SECRET: 'whsec_Xk29fLq0aZ7rT4mP' };
      for (const value of PUBLISHED_SECRET_VALUES) {
        const [name, env] = value.startsWith('smtp:')
          ? ['SMTP_URL', { SMTP_URL: value }]
          : value.startsWith('sk_')
            ? ['STRIPE_SECRET_KEY', { ...stripe, STRIPE_SECRET_KEY: value }]
            : value.length < 16
              ? ['SMTP_URL', { SMTP_URL: `smtp://desk:${encodeURIComponent(value)}@mail.internal:587` }]
              : ['PLATFORM_API_KEY', { PLATFORM_API_KEY: value }];
        const error = configError({ ...PRODUCTION, ...env });
        expect([error.variable, error.message], value).toEqual([name, expect.stringMatching(/published example value/)]);
        expect(error.message).not.toMatch(new RegExp(`\\b${value.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\b`));
      }
    });

    it.each([
      ['one character repeated', 'x'.repeat(40)],
      ['a short pattern repeated', 'abc1'.repeat(10)],
      ['a short pattern repeated', 'secret123secret123secret'],
      ['fewer than 5 different characters', 'aabbccddaabbccddabcdabcdddcc'],
    ])('refuses a weak platform secret: %s', (why, value) => {
      const error = configError({ ...PRODUCTION, CHAT_TOKEN_SECRET: value });
      expect(error.variable).toBe('CHAT_TOKEN_SECRET');
      expect(error.message).toContain(why);
      expect(error.message).not.toContain(value);
    });

    it('refuses weak channel and rail secrets the operator chooses', () => {
      const telegram = {
        TELEGRAM_BOT_TOKEN: '123456:AAHk-secret-bot-token',
        TELEGRAM_WEBHOOK_URL: 'https://desk.example.com/telegram/webhook',
      };
      expect(configError({ ...PRODUCTION, ...telegram, TELEGRAM_WEBHOOK_SECRET: '0'.repeat(32) }).variable).toBe('TELEGRAM_WEBHOOK_SECRET');
      const slack = { SLACK_BOT_TOKEN: 'xoxb-1234-5678-abcdEFGH', SLACK_DESK_CHANNEL: 'C0123456' };
      expect(configError({ ...PRODUCTION, ...slack, SLACK_SIGNING_SECRET: 'signing-secret' }).variable).toBe('SLACK_SIGNING_SECRET');
      expect(
        configError({ ...PRODUCTION, STRIPE_SECRET_KEY: 'sk_live_51HqLyjWDarjtT1zdp7dcXYZ', STRIPE_WEBHOOK_SECRET: 'whsec_aaaaaaaaaaaa' })
          .variable,
      ).toBe('STRIPE_WEBHOOK_SECRET');
      // Strong ones pass.
      expect(loadConfig({ ...PRODUCTION, ...telegram, TELEGRAM_WEBHOOK_SECRET: 'tg_9Fq2LmX7pR4vK8sW' }).telegram?.webhookSecret).toBe(
        'tg_9Fq2LmX7pR4vK8sW',
      );
      expect(loadConfig({ ...PRODUCTION, ...slack, SLACK_SIGNING_SECRET: '8f14e45fceea167a5a36dedd4bea2543' }).slack).not.toBeNull();
    });

    it('refuses one value for two platform secrets', () => {
      const error = configError({ ...PRODUCTION, PLATFORM_API_KEY: PRODUCTION.PLATFORM_WEBHOOK_SECRET });
      expect([error.variable, error.message]).toEqual([
        'PLATFORM_API_KEY',
        expect.stringContaining('must differ from PLATFORM_WEBHOOK_SECRET'),
      ]);
    });

    it('allows the demo values outside production, where the banner prints them', () => {
      expect(loadConfig({ PLATFORM_API_KEY: DEMO_SECRETS.platformApiKey }).platform.apiKey).toBe(DEMO_SECRETS.platformApiKey);
    });
  });

  it.each(['PLATFORM_WEBHOOK_SECRET', 'PLATFORM_API_KEY', 'CHAT_TOKEN_SECRET'])(
    'never falls back to the demo %s off the embedded default',
    (name) => {
      // Production with it unset, and a desk on a real database that forgot NODE_ENV.
      expect(configError({ ...PRODUCTION, [name]: '' }).message).toMatch(new RegExp(`${name} must be set when NODE_ENV=production`));
      const { NODE_ENV: _production, ...onPostgres } = PRODUCTION;
      expect(configError({ ...onPostgres, [name]: '' }).message).toMatch(new RegExp(`${name} must be set when DATABASE_URL is set`));
      expect(configError({ ...onPostgres, NODE_ENV: 'development', [name]: '' }).variable).toBe(name);
    },
  );

  it('keeps the list of published values in step with README.md and .env.example', () => {
    const documents = ['README.md', '.env.example'].map((file) => fs.readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8'));
    const examples = new Set(documents.flatMap((text) => [...exampleSecrets(text)]));
    // The extractor finds what the README prints (or this test could never fail).
    expect([...examples]).toEqual(expect.arrayContaining([DEMO_SECRETS.platformWebhookSecret, DEMO_SECRETS.platformApiKey]));
    expect([...examples].filter((value) => !PUBLISHED_SECRET_VALUES.includes(value))).toEqual([]);
  });

  it('reads example secrets in every shape a document shows them', () => {
    const text = [
      'PLATFORM_API_KEY=k-1234567890abcdef',
      "curl -H 'authorization: Bearer tok-0987654321' -d x",
      'openssl dgst -sha256 -hmac hm-secret-value -hex',
      'X-Signature: sha256=HMAC-SHA256(body, "formula-secret")',
      'SLACK_BOT_TOKEN: xoxb-9999-abcd and whsec_abcdef123456',
      'e.g. smtp://user:pw-123@mail.example.com:587',
      'placeholders: Bearer <PLATFORM_API_KEY>, whsec_…, STRIPE_WEBHOOK_SECRET=$SECRET',
    ].join('\n');
    expect([...exampleSecrets(text)].sort()).toEqual(
      [
        'formula-secret',
        'hm-secret-value',
        'k-1234567890abcdef',
        'pw-123',
        'smtp://user:pw-123@mail.example.com:587',
        'tok-0987654321',
        'whsec_abcdef123456',
        'xoxb-9999-abcd',
      ].sort(),
    );
  });

  it('refuses DEMO_SEED=on in production, and never seeds the demo there', () => {
    const error = configError({ ...PRODUCTION, DEMO_SEED: 'on' });
    expect(error.variable).toBe('DEMO_SEED');
    expect(error.message).toMatch(/DEMO_SEED must not be on when NODE_ENV=production/);
    expect(loadConfig({ ...PRODUCTION, DEMO_SEED: 'auto' }).seedDemo).toBe(false);
    expect(loadConfig({ DEMO_SEED: 'on', DATABASE_URL: 'postgres://db/desk', NODE_ENV: 'test' }).seedDemo).toBe(true);
  });

  it('sets the HTTP server limits, validated, with sane defaults', () => {
    expect(loadConfig({}).http).toEqual({
      requestTimeoutMs: 30_000,
      headersTimeoutMs: 10_000,
      keepAliveTimeoutMs: 72_000,
      maxConnections: 10_000,
      trustProxy: false,
    });
    expect(
      loadConfig({
        HTTP_REQUEST_TIMEOUT_MS: '5000',
        HTTP_HEADERS_TIMEOUT_MS: '2000',
        HTTP_KEEP_ALIVE_TIMEOUT_MS: '4000',
        HTTP_MAX_CONNECTIONS: '50',
      }).http,
    ).toEqual({ requestTimeoutMs: 5_000, headersTimeoutMs: 2_000, keepAliveTimeoutMs: 4_000, maxConnections: 50, trustProxy: false });
    // A short request timeout shortens the default headers timeout with it.
    expect(loadConfig({ HTTP_REQUEST_TIMEOUT_MS: '3000' }).http.headersTimeoutMs).toBe(3_000);
    expect(configError({ HTTP_REQUEST_TIMEOUT_MS: '0' }).message).toMatch(/HTTP_REQUEST_TIMEOUT_MS must be between 1000 and 600000/);
    expect(configError({ HTTP_KEEP_ALIVE_TIMEOUT_MS: 'soon' }).message).toMatch(
      /HTTP_KEEP_ALIVE_TIMEOUT_MS must be a number of milliseconds/,
    );
    expect(configError({ HTTP_MAX_CONNECTIONS: '1' }).variable).toBe('HTTP_MAX_CONNECTIONS');
    expect(configError({ HTTP_MAX_CONNECTIONS: '2.5' }).message).toMatch(/whole number/);
    expect(configError({ HTTP_REQUEST_TIMEOUT_MS: '5000', HTTP_HEADERS_TIMEOUT_MS: '6000' }).message).toMatch(
      /HTTP_HEADERS_TIMEOUT_MS must not be longer than HTTP_REQUEST_TIMEOUT_MS/,
    );
  });

  it('believes X-Forwarded-For only from the proxies TRUST_PROXY names', () => {
    expect(loadConfig({ TRUST_PROXY: 'false' }).http.trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: 'true' }).http.trustProxy).toBe(true);
    expect(loadConfig({ TRUST_PROXY: '2' }).http.trustProxy).toBe(2);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8, 127.0.0.1' }).http.trustProxy).toEqual(['10.0.0.0/8', '127.0.0.1']);
    expect(configError({ TRUST_PROXY: 'everyone' }).variable).toBe('TRUST_PROXY');
  });

  it('asks for the Slack variables that belong together', () => {
    expect(() => loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1-2' })).toThrow(/SLACK_SIGNING_SECRET must be set when SLACK_BOT_TOKEN is set/);
    const config = loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1-2', SLACK_SIGNING_SECRET: 'signing-secret', SLACK_DESK_CHANNEL: 'C0123456' });
    expect(config.slack?.apiUrl).toBe('https://slack.com/api/');
  });

  it('reads SLACK_SECOND_APPROVAL_ABOVE_MINOR per currency in minor units, and refuses what is not', () => {
    const slack = { SLACK_BOT_TOKEN: 'xoxb-1-2', SLACK_SIGNING_SECRET: 'signing-secret', SLACK_DESK_CHANNEL: 'C0123456' };
    expect(loadConfig(slack).slack?.secondApprovalAboveMinor).toEqual({});
    expect(
      loadConfig({ ...slack, SLACK_SECOND_APPROVAL_ABOVE_MINOR: 'CNY:50000, USD:10000,JPY:20000' }).slack?.secondApprovalAboveMinor,
    ).toEqual({ CNY: 50_000, USD: 10_000, JPY: 20_000 });
    for (const bad of ['CNY', 'CNY:500.00', 'cny:50000', 'CNY:-1', 'CNY:1,CNY:2', 'CNY:99999999999', ',']) {
      const error = configError({ ...slack, SLACK_SECOND_APPROVAL_ABOVE_MINOR: bad });
      expect(error.variable, bad).toBe('SLACK_SECOND_APPROVAL_ABOVE_MINOR');
    }
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig({ DATABASE_URL: '', PORT: ' ' }).database.kind).toBe('pglite');
  });

  it('documents every variable it reads in .env.example', () => {
    const example = fs.readFileSync(new URL('../../.env.example', import.meta.url), 'utf8');
    const documented = new Set([...example.matchAll(/^#?\s*([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]));
    expect(CONFIG_VARIABLES.filter((name) => !documented.has(name))).toEqual([]);
  });
});
