import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES, ConfigError, DEMO_SECRETS, loadConfig } from '../../src/config.ts';

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
    const config = loadConfig({ DATABASE_URL: 'postgresql://u@db:5432/desk', REDIS_URL: 'redis://cache:6379' });
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
    const config = loadConfig({
      NODE_ENV: 'production',
      PLATFORM_WEBHOOK_SECRET: 'w'.repeat(32),
      PLATFORM_API_KEY: 'k'.repeat(32),
      CHAT_TOKEN_SECRET: 'c'.repeat(32),
      DATABASE_URL: 'postgres://db/desk',
    });
    expect(config.platform.usingDemoSecrets).toBe(false);
    expect(config.host).toBe('0.0.0.0');
  });

  it('asks for the Slack variables that belong together', () => {
    expect(() => loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1-2' })).toThrow(/SLACK_SIGNING_SECRET must be set when SLACK_BOT_TOKEN is set/);
    const config = loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1-2', SLACK_SIGNING_SECRET: 'signing-secret', SLACK_DESK_CHANNEL: 'C0123456' });
    expect(config.slack?.apiUrl).toBe('https://slack.com/api/');
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
